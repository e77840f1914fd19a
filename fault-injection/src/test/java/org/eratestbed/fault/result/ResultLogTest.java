package org.eratestbed.fault.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLogTest {
    static final CampaignInfo CAMPAIGN =
            CampaignInfo.of(42, "upstream", "60s", "1/1", Instant.parse("2026-11-26T17:00:00Z"), "0.1.0");

    @TempDir
    Path dir;

    static RunRecord run(int run, long tMs) {
        return new RunRecord("1/1", run, 1000 + run, "upstream", 120, "step 120 at worker: writeset marked",
                CrashKind.INSIDE_COMMIT, new BigInteger("123456789012345678901234567890"), 64, 15, tMs);
    }

    static ViolationRecord violation(int run, long tMs) {
        return new ViolationRecord("1/1", run, 1000 + run, "upstream", OracleIds.TRACKING,
                "2099b145-incore-bit-before-commit", "block 7 written in era 3 not reported", "step 120",
                "17 of 64", "target block_size=8 origin_blocks=64 metadata_mib=4\nwrite 7 1\ncrash\n",
                List.of(0, 1, 1, 0), "era-testbed campaign --seed 42 --replay-run " + run, tMs);
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(dir.resolve("results.jsonl"));
    }

    @Test
    void recordsAreOneSnakeCaseLineEachWithTheirType() throws IOException {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(violation(0, 10)), run(0, 12));
            log.append(new DoneRecord("1/1", 1, 64, 1, 20));
        }
        List<String> lines = lines();
        assertEquals(3, lines.size());
        JsonNode v = ResultJson.mapper().readTree(lines.get(0));
        assertEquals("violation", v.get("type").asText());
        assertEquals("step 120", v.get("crash_point").asText());
        assertEquals(10, v.get("t_ms").asLong());
        assertEquals("17 of 64", v.get("state").asText());
        assertTrue(v.get("schedule").isArray());
        assertTrue(v.get("script").asText().contains("\nwrite 7 1\n"));
        JsonNode r = ResultJson.mapper().readTree(lines.get(1));
        assertEquals("run", r.get("type").asText());
        assertTrue(r.get("states_total").isTextual(), "states_total is a decimal string");
        assertEquals("123456789012345678901234567890", r.get("states_total").asText());
        assertEquals("inside commit", r.get("crash_kind").asText());
        assertEquals(64, r.get("states_checked").asInt());
        assertEquals("done", ResultJson.mapper().readTree(lines.get(2)).get("type").asText());
        assertEquals(violation(0, 10), ResultJson.parseLine(lines.get(0)));
        assertEquals(run(0, 12), ResultJson.parseLine(lines.get(1)));

        JsonNode c = ResultJson.mapper().readTree(dir.resolve("campaign.json").toFile());
        assertEquals(42, c.get("seed").asLong());
        assertEquals("2026-11-26T17:00:00Z", c.get("start_time").asText());
        assertEquals("0.1.0", c.get("tool_version").asText());
    }

    @Test
    void reopenReportsCompletedRunsAndGoesOnAppending() throws IOException {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(), run(0, 5));
            log.appendRun(List.of(violation(1, 8)), run(1, 9));
        }
        CampaignInfo later = CampaignInfo.of(42, "upstream", "60s", "1/1", Instant.now(), "0.2.0");
        try (ResultLog log = ResultLog.open(dir, later)) {
            assertEquals(Set.of(0, 1), log.completedRuns());
            assertEquals(9, log.lastTms());
            assertEquals(CAMPAIGN, log.campaign(), "a resumed campaign keeps its first campaign.json");
            assertFalse(log.recovery().rewrote());
            log.appendRun(List.of(), run(2, 20));
        }
        assertEquals(4, lines().size());
    }

    @Test
    void aLineCutShortIsDroppedAndTheRunRunsAgain() throws IOException {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(), run(0, 5));
        }
        String half = ResultJson.toLine(run(1, 9));
        Files.writeString(dir.resolve("results.jsonl"), half.substring(0, half.length() / 2),
                StandardOpenOption.APPEND);
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(Set.of(0), log.completedRuns());
            assertTrue(log.recovery().partialBytesDropped() > 0);
            log.appendRun(List.of(), run(1, 30));
        }
        List<String> lines = lines();
        assertEquals(2, lines.size());
        assertEquals(run(1, 30), ResultJson.parseLine(lines.get(1)), "no torn line glued to the new record");
    }

    @Test
    void findingsOfAnIncompleteRunAreDroppedSoTheRerunDoesNotDuplicateThem() throws IOException {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(), run(0, 5));
            log.append(violation(1, 8)); // killed before run 1's record
        }
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(1, log.recovery().orphanFindingsDropped());
            assertFalse(log.isComplete(1));
            log.appendRun(List.of(violation(1, 40)), run(1, 41));
        }
        List<String> lines = lines();
        assertEquals(3, lines.size());
        assertEquals(1, lines.stream().filter(l -> l.contains("\"type\":\"violation\"")).count());
        assertFalse(Files.exists(dir.resolve("results.jsonl.tmp")));
    }

    @Test
    void refusesWhatWouldCorruptAResume() {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(), run(0, 5));
            assertThrows(IllegalStateException.class, () -> log.append(run(0, 6)));
            assertThrows(IllegalStateException.class, () -> log.append(violation(0, 6)));
            assertThrows(IllegalStateException.class, () -> log.append(List.of(run(3, 6), run(3, 7))));
            assertThrows(IllegalArgumentException.class, () -> log.append(new DoneRecord("1/2", 1, 1, 0, 1)));
            log.append(new DoneRecord("1/1", 1, 64, 0, 10));
            assertThrows(IllegalStateException.class, () -> log.append(run(5, 6)));
            assertTrue(log.done().isPresent());
        }
    }

    @Test
    void anotherCampaignInTheSameFolderIsBadInput() {
        ResultLog.open(dir, CAMPAIGN).close();
        CampaignInfo other = CampaignInfo.of(43, "upstream", "60s", "1/1", Instant.now(), "0.1.0");
        BadInputException e = assertThrows(BadInputException.class, () -> ResultLog.open(dir, other));
        assertTrue(e.getMessage().contains("holds another campaign (seed 42"), e.getMessage());
    }

    @Test
    void oneCampaignAtATimePerFolder() {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            BadInputException e = assertThrows(BadInputException.class, () -> ResultLog.open(dir, CAMPAIGN));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            log.appendRun(List.of(), run(0, 1)); // the refused open left the holder's log working
        }
        try (ResultLog again = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(Set.of(0), again.completedRuns(), "closing released the folder");
        }
    }

    @Test
    void aDamagedLineInTheMiddleIsBadInputWithFileAndLine() throws IOException {
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(), run(0, 5));
        }
        Files.writeString(dir.resolve("results.jsonl"), "{not json\n" + ResultJson.toLine(run(1, 6)) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        BadInputException e = assertThrows(BadInputException.class, () -> ResultLog.open(dir, CAMPAIGN));
        assertTrue(e.getMessage().contains("results.jsonl:2: not JSON"), e.getMessage());
        ResultLog.open(dir.resolveSibling(dir.getFileName() + "-other"), CAMPAIGN).close();
    }

    @Test
    void aMultiLineMessageBecomesOneLine() {
        ViolationRecord v = new ViolationRecord("1/1", 0, 1, "upstream", "liveness", null, "hung:\n  status\n",
                "none", "1 of 1", "", null, "cmd", 0);
        assertEquals("hung: | status", v.message());
        assertEquals(List.of(), v.schedule());
    }
}
