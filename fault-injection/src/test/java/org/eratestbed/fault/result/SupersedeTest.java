package org.eratestbed.fault.result;

import static org.eratestbed.fault.result.ResultLogTest.CAMPAIGN;
import static org.eratestbed.fault.result.ResultLogTest.run;
import static org.eratestbed.fault.result.ResultLogTest.violation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results stay append-only while a later session triages what an earlier one wrote as found: the run's new
 * batch supersedes its earlier one for the log's counts, for readers and for merged copies of the folder,
 * and the earlier lines stay in the file.
 */
class SupersedeTest {
    @TempDir
    Path tmp;

    static ViolationRecord untriaged(int run, long tMs) {
        ViolationRecord v = violation(run, tMs);
        return new ViolationRecord(v.shard(), v.run(), v.seed(), v.variant(), v.oracle(), Finding.UNTRIAGED,
                v.message(), v.crashPoint(), v.state(), v.script(), v.schedule(), v.reproduce(), v.tMs());
    }

    static KnownRecord known(int run, long tMs) {
        ViolationRecord v = violation(run, tMs);
        return new KnownRecord(v.shard(), v.run(), v.seed(), v.variant(), v.oracle(), "M1-inflight-write-across-checkpoint",
                v.message(), v.crashPoint(), v.state(), "target block_size=8 origin_blocks=64 metadata_mib=4\ncrash\n",
                v.schedule(), v.reproduce(), v.tMs());
    }

    /** Runs 0..2, run 1 and 2 written untriaged, then done: what a campaign whose budget ended leaves. */
    private Path finishedWithUntriaged() {
        Path dir = tmp.resolve("c");
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.appendRun(List.of(violation(0, 5)), run(0, 6));
            log.appendRun(List.of(untriaged(1, 7)), run(1, 8));
            log.appendRun(List.of(untriaged(2, 9)), run(2, 10));
            log.append(new DoneRecord("1/1", 3, 192, 3, 11));
        }
        return dir;
    }

    @Test
    void aLaterBatchStandsAndTheEarlierStaysInTheFile() throws IOException {
        Path dir = finishedWithUntriaged();
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(3, log.violations());
            log.supersedeRun(List.of(known(1, 7)), run(1, 8));
            assertEquals(2, log.violations(), "run 1's finding is known now");
            assertEquals(3 * 64, log.statesChecked(), "each run's states once");
            log.append(new DoneRecord("1/1", 3, log.statesChecked(), log.violations(), 12));
        }
        List<String> lines = Files.readAllLines(dir.resolve("results.jsonl"));
        assertEquals(10, lines.size(), "append-only: 7 lines, a batch of 2, a done record");
        assertTrue(lines.get(2).contains("\"untriaged\""), "the earlier batch is still there");

        Results r = ResultReader.read(dir);
        assertEquals(3, r.runs().size(), "each run once");
        assertEquals(List.of(0, 1, 2), r.findings().stream().map(Finding::run).sorted().toList());
        assertTrue(r.known().stream().anyMatch(k -> k.run() == 1), "the reader shows the latest batch");
        assertEquals(2, r.violations().size());
        assertEquals(2, r.shards().get(0).done().orElseThrow().violations(), "the latest done record");

        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(2, log.violations(), "reopened, the log counts what stands");
            assertEquals(List.of(0, 1, 2), log.findings().stream().map(Finding::run).toList());
            assertEquals("M1-inflight-write-across-checkpoint", log.findings().get(1).defect());
        }
    }

    @Test
    void aCopyTakenBeforeTheTriageMergesToTheLatest() throws IOException {
        Path dir = finishedWithUntriaged();
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        for (String f : List.of("campaign.json", "results.jsonl")) {
            Files.copy(dir.resolve(f), copy.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.supersedeRun(List.of(known(2, 9)), run(2, 10));
        }
        for (List<Path> order : List.of(List.of(copy, dir), List.of(dir, copy))) {
            Results r = ResultReader.read(order);
            assertEquals(1, r.shards().size());
            assertEquals(3, r.runs().size());
            assertEquals(3, r.findings().size(), "each run's standing findings once: " + r.findings());
            assertEquals(List.of(2), r.known().stream().map(Finding::run).toList(), order.toString());
        }
    }

    @Test
    void refusesWhatIsNotASupersedingBatch() {
        Path dir = finishedWithUntriaged();
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertThrows(IllegalStateException.class, () -> log.supersedeRun(List.of(), run(5, 1)),
                    "only a run already complete");
            assertThrows(IllegalStateException.class, () -> log.appendRun(List.of(), run(5, 1)),
                    "no new run after the done record");
            assertThrows(IllegalStateException.class, () -> log.append(new DoneRecord("1/1", 3, 1, 1, 1)),
                    "no second done record unless something was superseded");
            assertThrows(IllegalStateException.class, () -> log.supersedeRun(List.of(known(2, 1)), run(1, 1)),
                    "a batch is one run's");
            log.supersedeRun(List.of(), run(1, 1));
            log.append(new DoneRecord("1/1", 3, 1, 1, 1));
        }
    }

    @Test
    void aSessionKilledWhileItTriagedMayStillWriteItsDoneRecord() throws IOException {
        Path dir = finishedWithUntriaged();
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            log.supersedeRun(List.of(known(1, 7)), run(1, 8));
        }
        // killed before its done record: the next session finishes the triage and writes one
        Files.writeString(dir.resolve("results.jsonl"), "{\"type\":\"known\",\"shard\":\"1/1\",\"ru",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertTrue(log.recovery().partialBytesDropped() > 0);
            assertEquals(2, log.violations());
            log.append(new DoneRecord("1/1", 3, log.statesChecked(), log.violations(), 13));
        }
        assertEquals(2, ResultReader.read(dir).shards().get(0).done().orElseThrow().violations());
    }

    @Test
    void anOrphanAfterAStandingBatchIsDroppedAndTheBatchStands() throws IOException {
        Path dir = finishedWithUntriaged();
        // a superseding batch cut short after its finding's line (power cut): the finding is an orphan
        Files.writeString(dir.resolve("results.jsonl"), ResultJson.toLine(known(1, 7)) + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Results before = ResultReader.read(dir);
        assertTrue(before.warnings().stream().anyMatch(w -> w.contains("later batch cut short")),
                before.warnings().toString());
        assertEquals(Finding.UNTRIAGED, before.findings().stream().filter(f -> f.run() == 1).findFirst().orElseThrow()
                .defect());
        try (ResultLog log = ResultLog.open(dir, CAMPAIGN)) {
            assertEquals(1, log.recovery().orphanFindingsDropped());
            assertEquals(3, log.violations());
        }
        assertEquals(7, Files.readAllLines(dir.resolve("results.jsonl")).size());
    }
}
