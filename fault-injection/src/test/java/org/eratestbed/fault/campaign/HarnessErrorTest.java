package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.Results;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run the testbed cannot execute (a model or scheduler exception) is written as an untriaged {@code harness}
 * violation with its run record and a reproducer folder, so the campaign goes on and a resumed campaign does
 * not stop at the same run again.
 */
class HarnessErrorTest {
    @Test
    void aRunTheTestbedCannotExecuteIsWrittenAsAHarnessViolation(@TempDir Path tmp) {
        Path out = tmp.resolve("c");
        Variant v = Variant.UPSTREAM;
        Campaign.Config cfg = new Campaign.Config(1, v, Duration.ofSeconds(1), 0, 1, 1, out, 4, "test");
        long runSeed = Campaign.runSeed(1, 7);
        RunPlan plan = RunGenerator.plan(v::has, runSeed);
        try (ResultLog log = ResultLog.open(out, CampaignInfo.of(1, v.id(), "1s", "1/1", Instant.now(), "test"))) {
            Triage triage = new Triage(cfg, log);
            triage.writeHarnessError(7, runSeed, plan, new RunRecord("1/1", 7, runSeed, v.id(), 0, "none",
                    CrashKind.NONE, java.math.BigInteger.ZERO, 0, 1, 1), 1,
                    new IllegalStateException("actor remove is blocked on a Java monitor held by a parked actor"));
            assertEquals(1, triage.violations());
        }
        Results r = ResultReader.read(out);
        assertEquals(1, r.runs().size());
        Finding f = r.findings().get(0);
        assertTrue(f instanceof ViolationRecord, "never passed off as known");
        assertEquals(OracleIds.HARNESS, f.oracle());
        assertEquals(Finding.UNTRIAGED, f.defect());
        assertTrue(f.message().contains("blocked on a Java monitor"), f.message());
        assertEquals(plan.script().toText(), f.script());
        assertTrue(java.nio.file.Files.isRegularFile(Path.of(f.reproduce().split(" ")[3]).resolve("plan.txt")));
    }
}
