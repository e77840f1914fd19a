package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceFaultRecordsTest {
    private static final WorkloadScript SCRIPT = WorkloadParser.parse("w", String.join("\n",
            "target block_size=8 origin_blocks=8 metadata_mib=4", "write 0 4", "flush", "write 1 2"));

    @TempDir
    Path out;

    @Test
    void aDeviceLieBecomesOneKnownRecordPerOracleAndFaultWithAReproducerThatKeepsItsFaults() throws Exception {
        RunPlan plan = new RunPlan(SCRIPT, 3, 1, -1).withFaults(FaultPlan.NONE, FaultPlan.parse("seed=1; drop rate=1"), false);
        RunExecutor.Outcome o = RunExecutor.execute(Variant.UPSTREAM::has, plan, RunGenerator.MAX_STEPS);
        Oracles.Checked c = Oracles.check(Variant.UPSTREAM::has, o, 5, 16);
        List<KnownRecord> known = DeviceFaultRecords.known(out, "1/1", 7, 99, "upstream", plan, o.crashPoint(), c, 16, 10);
        assertEquals(1, known.size(), known.toString());
        KnownRecord k = known.get(0);
        assertEquals(OracleIds.LINEAR_DATA, k.oracle());
        assertEquals("device-fault:drop", k.defect());
        Path dir = Path.of(k.reproduce().split(" ")[3]);
        String planText = Files.readString(dir.resolve("plan.txt"));
        assertTrue(planText.contains("origin_faults=seed=1; drop rate=1.0"), planText);
        RunPlan back = new RunPlan(SCRIPT, 3, 1, -1).withFaultLines(Files.readAllLines(dir.resolve("plan.txt")));
        assertEquals(plan, back, "the plan's fault lines read back to the same plan");
    }
}
