package org.eratestbed.fault.result;

import static org.eratestbed.fault.result.ResultLogTest.run;
import static org.eratestbed.fault.result.ResultLogTest.violation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultReaderTest {
    @TempDir
    Path tmp;

    private Path shard(String name, String shard, int firstRun, int runs) {
        Path dir = tmp.resolve(name);
        CampaignInfo c = CampaignInfo.of(42, "upstream", "60s", shard, Instant.parse("2026-11-26T17:00:00Z"),
                "0.1.0");
        try (ResultLog log = ResultLog.open(dir, c)) {
            for (int i = firstRun; i < firstRun + runs; i++) {
                RunRecord r = run(i, i * 10L);
                ViolationRecord v = violation(i, i * 10L);
                log.appendRun(i % 2 == 0 ? List.of(withShard(v, shard)) : List.of(), withShard(r, shard));
            }
        }
        return dir;
    }

    static RunRecord withShard(RunRecord r, String shard) {
        return new RunRecord(shard, r.run(), r.seed(), r.variant(), r.steps(), r.crashPoint(), r.crashKind(),
                r.statesTotal(), r.statesChecked(), r.elapsedMs(), r.tMs());
    }

    static ViolationRecord withShard(ViolationRecord v, String shard) {
        return new ViolationRecord(shard, v.run(), v.seed(), v.variant(), v.oracle(), v.defect(), v.message(),
                v.crashPoint(), v.state(), v.script(), v.schedule(), v.reproduce(), v.tMs());
    }

    @Test
    void mergesShardsAndCopiesOfTheSameShardOnce() throws IOException {
        Path a = shard("a", "1/2", 0, 4);
        Path b = shard("b", "2/2", 0, 3);
        Path copy = tmp.resolve("a-copy");
        Files.createDirectories(copy);
        Files.copy(a.resolve("campaign.json"), copy.resolve("campaign.json"));
        Files.copy(a.resolve("results.jsonl"), copy.resolve("results.jsonl"), StandardCopyOption.REPLACE_EXISTING);
        Results r = ResultReader.read(a, b, copy);
        assertEquals(2, r.shards().size());
        assertEquals(7, r.runs().size());
        assertEquals(4, r.violations().size());
        assertEquals("1/2", r.shards().get(0).campaign().shard());
    }

    @Test
    void aFolderOfShardFoldersReadsThemAll() {
        shard("s1", "1/2", 0, 2);
        shard("s2", "2/2", 0, 2);
        Results r = ResultReader.read(tmp);
        assertEquals(2, r.shards().size());
        assertEquals(4, r.runs().size());
    }

    @Test
    void anUnterminatedLastLineIsDroppedWithAWarning() throws IOException {
        Path a = shard("a", "1/1", 0, 2);
        Files.writeString(a.resolve("results.jsonl"), "{\"type\":\"run\",\"sha", StandardOpenOption.APPEND);
        Results r = ResultReader.read(a);
        assertEquals(2, r.runs().size());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("results.jsonl:4: dropped an unterminated last line"),
                r.warnings().get(0));
    }

    @Test
    void badInputNamesFileAndLine() throws IOException {
        BadInputException missing = assertThrows(BadInputException.class,
                () -> ResultReader.read(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("no such results folder"), missing.getMessage());

        Path a = shard("a", "1/1", 0, 1);
        Path results = a.resolve("results.jsonl");
        String good = Files.readString(results);
        Files.writeString(results, good + "garbage\n" + good);
        BadInputException e = assertThrows(BadInputException.class, () -> ResultReader.read(a));
        assertTrue(e.getMessage().endsWith("results.jsonl:3: not JSON: Unrecognized token 'garbage': was expecting"
                + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"), e.getMessage());

        Files.writeString(results, good + "{\"run\": 3}\n");
        e = assertThrows(BadInputException.class, () -> ResultReader.read(a));
        assertTrue(e.getMessage().contains("results.jsonl:3: record without a \"type\""), e.getMessage());

        Files.writeString(results, good + "{\"type\":\"run\",\"shard\":\"1/1\",\"run\":1}\n");
        e = assertThrows(BadInputException.class, () -> ResultReader.read(a));
        assertTrue(e.getMessage().contains("results.jsonl:3: bad run record: missing 'seed'"), e.getMessage());

        Files.writeString(results, good.replace("inside commit", "sideways"));
        e = assertThrows(BadInputException.class, () -> ResultReader.read(a));
        assertTrue(e.getMessage().contains("results.jsonl:2: bad run record"), e.getMessage());
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());

        Files.writeString(results, good);
        Files.delete(a.resolve("campaign.json"));
        e = assertThrows(BadInputException.class, () -> ResultReader.read(a));
        assertTrue(e.getMessage().contains("no campaign.json"), e.getMessage());
    }

    @Test
    void unknownRecordTypesAreSkippedWithAWarning() throws IOException {
        Path a = shard("a", "1/1", 0, 1);
        Files.writeString(a.resolve("results.jsonl"), "{\"type\":\"progress\",\"pct\":50}\n",
                StandardOpenOption.APPEND);
        Results r = ResultReader.read(a);
        assertEquals(1, r.runs().size());
        assertTrue(r.warnings().get(0).contains("unknown type \"progress\""));
    }
}
