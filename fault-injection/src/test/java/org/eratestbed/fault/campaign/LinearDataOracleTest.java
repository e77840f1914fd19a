package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;

/** The linear-data oracle on whole runs: silent on an honest disk, and it catches a disk that loses data. */
class LinearDataOracleTest {
    private static final WorkloadScript OVERWRITES = WorkloadParser.parse("overwrites", String.join("\n",
            "target block_size=8 origin_blocks=8 metadata_mib=4",
            "write 0 4", "flush", "write 1 2", "checkpoint", "write 3 1", "flush", "write 2 1"));

    private static Oracles.Checked run(RunPlan plan) {
        RunExecutor.Outcome o = RunExecutor.execute(Variant.UPSTREAM::has, plan, RunGenerator.MAX_STEPS);
        return Oracles.check(Variant.UPSTREAM::has, o, 7, 16);
    }

    @Test
    void generatedRunsOnUpstreamReadBackWhatWasWritten() {
        List<String> found = new ArrayList<>();
        int withLinear = 0;
        for (int i = 0; i < 40; i++) {
            long runSeed = Campaign.runSeed(11, i);
            RunPlan plan = RunGenerator.plan(Variant.UPSTREAM::has, runSeed);
            Oracles.Checked c = Oracles.check(Variant.UPSTREAM::has,
                    RunExecutor.execute(Variant.UPSTREAM::has, plan, RunGenerator.MAX_STEPS), runSeed, 8);
            for (Oracles.Violation v : c.violations()) {
                if (v.oracle().equals(OracleIds.LINEAR_DATA) || v.oracle().equals(DeviceFaults.ERRORS_SURFACE)) {
                    found.add("run " + i + ": " + v);
                }
            }
            withLinear++;
        }
        assertEquals(40, withLinear);
        assertTrue(found.isEmpty(), String.join("\n", found));
    }

    @Test
    void anHonestDiskGivesNoLinearDataViolationAtTheEndOrAfterACrash() {
        for (long crash : new long[] {-1, 40, 120, 400}) {
            Oracles.Checked c = run(new RunPlan(OVERWRITES, 3, 2, crash));
            assertTrue(c.violations().stream().noneMatch(v -> v.oracle().equals(OracleIds.LINEAR_DATA)),
                    "crash at " + crash + ": " + c.violations());
        }
    }

    @Test
    void aDiskThatDropsAnAcknowledgedWriteIsCaughtAndBlamedOnTheDevice() {
        // Every origin write is dropped: the first overwrite reads back as zeroes at the end of the run.
        RunPlan plan = new RunPlan(OVERWRITES, 3, 1, -1).withFaults(FaultPlan.NONE, FaultPlan.parse("seed=1; drop rate=1"), false);
        Oracles.Checked c = run(plan);
        assertTrue(c.violations().isEmpty(), "a device lie is not a dm-era violation: " + c.violations());
        assertTrue(c.expected().stream().anyMatch(e -> e.violation().oracle().equals(OracleIds.LINEAR_DATA)
                && e.deviceCause().contains("drop")), c.expected().toString());
    }

    @Test
    void aFlushThatLiesLosesFlushedDataAfterACrashAndIsBlamedOnTheDevice() {
        RunPlan plan = new RunPlan(OVERWRITES, 3, 1, -1)
                .withFaults(FaultPlan.NONE, FaultPlan.parse("seed=1; lying-flush rate=1"), false);
        Oracles.Checked c = run(plan);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
        Oracles.Expected e = c.expected().stream().filter(x -> x.violation().oracle().equals(OracleIds.LINEAR_DATA))
                .findFirst().orElse(null);
        assertNotNull(e, "flushed writes lost at the crash: " + c.expected());
        assertTrue(e.deviceCause().contains("lying-flush"), e.deviceCause());
        assertTrue(e.violation().message().contains("flushed"), e.violation().message());
    }

    @Test
    void withoutFaultsTheSameLossIsAViolation() {
        // The oracle itself, not the fault classification: an honest plan whose origin lost its content would
        // be reported. Simulated by checking a zeroed origin against the run's requests.
        RunExecutor.Outcome o = RunExecutor.execute(Variant.UPSTREAM::has, new RunPlan(OVERWRITES, 3, 1, -1),
                RunGenerator.MAX_STEPS);
        LinearData end = new LinearData(o.io(), LinearData.Mode.END, 8);
        assertNull(end.check(readOrigin(o), 8));
        String bad = end.check(new byte[8 * 8 * 512], 8);
        assertNotNull(bad);
        assertTrue(bad.startsWith("origin block 0 sector 0 holds zeroes, but it may only hold write #1"), bad);
    }

    private static byte[] readOrigin(RunExecutor.Outcome o) {
        byte[] b = new byte[8 * 8 * 512];
        o.model().originDisk().image().read(0, b, 0, 64);
        return b;
    }
}
