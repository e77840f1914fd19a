package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    @TempDir
    Path tmp;

    private Path results(boolean violation) {
        Path dir = tmp.resolve(violation ? "bad" : "good");
        CampaignInfo c = CampaignInfo.of(9, "hardened", "10s", "1/1", Instant.parse("2026-11-26T18:00:00Z"), "dev");
        try (ResultLog log = ResultLog.open(dir, c)) {
            List<ViolationRecord> found = violation ? List.of(new ViolationRecord("1/1", 0, 90, "hardened",
                    "tracking", null, "block 2 lost \u001b[31m", "step 4", "2 of 4", "target block_size=8 "
                            + "origin_blocks=4 metadata_mib=4\nwrite 2 1\ncrash\n", List.of(1),
                    "era-testbed campaign --seed 9 --variant hardened --replay-run 0", 12)) : List.of();
            log.appendRun(found, new RunRecord("1/1", 0, 90, "hardened", 10, "step 4", CrashKind.RANDOM,
                    BigInteger.valueOf(4), 4, 3, 13));
            log.append(new DoneRecord("1/1", 1, 4, found.size(), 20));
        }
        return dir;
    }

    @Test
    void violationsAreExitOneWithTheirReproducers() {
        Path dir = results(true);
        EraTestbedTest.Run r = EraTestbedTest.run("report", dir.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains(tmp.resolve("out").resolve("report.html").toString()), r.out());
        assertTrue(r.out().contains("junit.xml") && r.out().contains("summary.json"), r.out());
        assertTrue(r.out().contains("FAIL: violations by oracle: tracking 1"), r.out());
        assertTrue(r.out().contains("reproduce: era-testbed campaign --seed 9 --variant hardened --replay-run 0"));
        assertFalse(r.out().contains("\u001b"), "no escape sequence from a result reaches the terminal");
        assertTrue(Files.isRegularFile(tmp.resolve("out/report.html")));
    }

    @Test
    void aCleanCampaignIsExitZero() {
        EraTestbedTest.Run r = EraTestbedTest.run("report", results(false).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 runs, 4 crash states checked, 0 violations"), r.out());
    }

    @Test
    void badInputIsExitTwoWithOneLine() {
        EraTestbedTest.Run r = EraTestbedTest.run("report", tmp.resolve("missing").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("no such results folder"), r.err());
        r = EraTestbedTest.run("report");
        assertEquals(2, r.code(), "RESULTS_DIR is required");
    }
}
