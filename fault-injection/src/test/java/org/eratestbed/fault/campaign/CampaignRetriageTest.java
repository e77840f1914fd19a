package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.ResultJson;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.ViolationRecord;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign whose time budget ended before triage did leaves findings written as found ({@code untriaged}).
 * Started again with the same options it runs nothing new and triages them, in run order, with what an
 * uninterrupted triage would have decided; the new records supersede the old ones (append-only), and a
 * session without budget left changes nothing.
 */
class CampaignRetriageTest {
    static final Variant VARIANT = Variant.PRE_5_12;
    static final ObjectMapper JSON = new ObjectMapper();

    static Campaign.Config config(Path out) {
        return new Campaign.Config(3, VARIANT, Duration.ofSeconds(60), 0, 1, 1, out, 4, "test");
    }

    static CampaignInfo info() {
        return CampaignInfo.of(3, VARIANT.id(), "60s", "1/1", Instant.parse("2026-11-27T00:00:00Z"), "test");
    }

    /** The first failing runs of campaign seed 3 on pre-5.12 (the variant both tests use). */
    static List<Triage.Held> failingRuns(int n) {
        return CampaignBudgetTest.failingRuns(n);
    }

    /** The same runs triaged in one session with no budget: what a restart must end up deciding. */
    static Path uninterrupted(Path out, List<Triage.Held> held) {
        try (ResultLog log = ResultLog.open(out, info())) {
            Triage t = new Triage(config(out), log);
            held.forEach(t::hold);
            while (!t.idle()) {
                t.step(true);
            }
        }
        return out;
    }

    /** What a campaign whose budget ended at once leaves: every held finding untriaged, then done. */
    static void untriagedThenDone(Path out, List<Triage.Held> held) {
        try (ResultLog log = ResultLog.open(out, info())) {
            Triage t = new Triage(config(out), log);
            held.forEach(t::hold);
            assertEquals(held.size(), t.flushUntriaged());
            log.append(new DoneRecord("1/1", held.size(), log.statesChecked(), log.violations(), 2));
        }
    }

    /** Standing findings, as sorted JSON without the clock and with the folder in reproduce commands as DIR. */
    static List<String> standing(Path out) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Finding f : ResultReader.read(out).findings()) {
            ObjectNode n = (ObjectNode) JSON.readTree(ResultJson.toLine(f));
            n.remove("t_ms");
            n.put("reproduce", f.reproduce().replace(out.toString(), "DIR"));
            lines.add(n.toString());
        }
        lines.sort(null);
        return lines;
    }

    @Test
    void aFinishedCampaignStartedAgainTriagesWhatItWroteAsFound(@TempDir Path tmp) throws Exception {
        List<Triage.Held> held = failingRuns(4);
        Path out = tmp.resolve("c");
        untriagedThenDone(out, held);
        int linesBefore = Files.readAllLines(out.resolve("results.jsonl")).size();

        Campaign.Session s = new Campaign(config(out)).run(p -> { });
        assertEquals(0, s.runs(), "no new run");
        assertEquals(4, s.triaged());
        assertEquals(0, s.untriaged());

        List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(linesBefore + 4 * 2 + 1, lines.size(), "append-only: four batches and a done record");
        assertEquals(4, lines.stream().filter(l -> l.contains("\"untriaged\"")).count(), "the old lines stay");
        List<Finding> now = ResultReader.read(out).findings();
        assertEquals(4, now.size());
        assertTrue(now.stream().noneMatch(f -> Finding.UNTRIAGED.equals(f.defect())), now.toString());
        assertEquals(4, ResultReader.read(out).runs().size(), "each run once");
        DoneRecord done = ResultReader.read(out).shards().get(0).done().orElseThrow();
        assertEquals(now.stream().filter(ViolationRecord.class::isInstance).count(), done.violations());
        for (Finding f : now) {
            Path dir = Path.of(f.reproduce().split(" ")[3]);
            assertEquals(f.script(), Files.readString(dir.resolve("script.era"), StandardCharsets.UTF_8),
                    "the folder is the standing record's");
            Campaign.Reproduction r = Campaign.reproduce(dir, VARIANT);
            assertNotNull(r.violation(), dir + " replays");
            assertEquals(f.oracle(), r.violation().oracle());
        }
        assertTrue(now.stream().anyMatch(f -> held.stream().filter(h -> h.run() == f.run()).findFirst().orElseThrow()
                .plan().script().toText().length() > f.script().length()), "a first finding of its kind is shrunk");

        // As an uninterrupted triage of the same runs decides.
        Path straight = uninterrupted(tmp.resolve("straight"), held);
        assertEquals(standing(straight), standing(out));

        // Started again: nothing is left to do, and nothing changes.
        byte[] before = Files.readAllBytes(out.resolve("results.jsonl"));
        Campaign.Session again = new Campaign(config(out)).run(p -> { });
        assertFalse(again.changed());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("results.jsonl")));
    }

    @Test
    void firstFindingsWrittenWholeWhenTheBudgetEndedAreShrunkWhenStartedAgain(@TempDir Path tmp) throws Exception {
        List<Triage.Held> held = failingRuns(4);
        Path out = tmp.resolve("c");
        try (ResultLog log = ResultLog.open(out, info())) {
            Triage t = new Triage(config(out), log);
            held.forEach(t::hold);
            while (!t.idle()) {
                t.step(false); // no time left to shrink: first findings are written whole
            }
            assertEquals(0, t.flushUntriaged(), "every finding attributed, the first ones of their kind not shrunk");
            log.append(new DoneRecord("1/1", held.size(), log.statesChecked(), log.violations(), 2));
        }
        List<Finding> whole = ResultReader.read(out).findings();
        List<Finding> first = Triage.firstOfKind(whole);
        assertFalse(first.isEmpty());
        for (Finding f : first) {
            assertEquals(held.stream().filter(h -> h.run() == f.run()).findFirst().orElseThrow().plan().script()
                    .toText(), f.script(), "written whole");
        }

        Campaign.Session s = new Campaign(config(out)).run(p -> { });
        assertEquals(0, s.runs());
        assertTrue(s.triaged() >= 1 && s.triaged() <= first.size(), "shrunk: " + s.triaged());

        Path straight = uninterrupted(tmp.resolve("straight"), held);
        assertEquals(standing(straight), standing(out), "as an uninterrupted triage");
        byte[] before = Files.readAllBytes(out.resolve("results.jsonl"));
        new Campaign(config(out)).run(p -> { });
        assertArrayEquals(before, Files.readAllBytes(out.resolve("results.jsonl")), "nothing left to shrink");
    }

    @Test
    void triageWithoutBudgetLeftChangesNothingAndCountsWhatIsLeft(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("c");
        untriagedThenDone(out, failingRuns(2));
        byte[] before = Files.readAllBytes(out.resolve("results.jsonl"));
        Campaign.Session s = Campaign.triage(out, Duration.ZERO, "test", p -> { });
        assertEquals(0, s.triaged());
        assertEquals(2, s.untriaged());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("results.jsonl")), "no done record without news");

        Campaign.Session all = Campaign.triage(out, null, "test", p -> { });
        assertEquals(2, all.triaged());
        assertEquals(0, all.untriaged());
        assertTrue(ResultReader.read(out).findings().stream().noneMatch(f -> Finding.UNTRIAGED.equals(f.defect())));
    }

    @Test
    void recallKeepsOnlyWhatAttributionDecided(@TempDir Path tmp) {
        ViolationRecord attributed = new ViolationRecord("1/1", 1, 1, VARIANT.id(), "tracking",
                "de89afc1-recover-committed-writeset", "m", "c", "s", "x", List.of(), "r", 1);
        ViolationRecord unexplained = new ViolationRecord("1/1", 2, 1, VARIANT.id(), "tracking", null, "m", "c", "s",
                "x", List.of(), "r", 1);
        ViolationRecord untriaged = new ViolationRecord("1/1", 3, 1, VARIANT.id(), "tracking", Finding.UNTRIAGED,
                "m", "c", "s", "x", List.of(), "r", 1);
        ViolationRecord harness = new ViolationRecord("1/1", 4, 1, VARIANT.id(), "harness", Finding.UNTRIAGED, "m",
                "c", "s", "x", List.of(), "r", 1);
        KnownRecord device = new KnownRecord("1/1", 5, 1, VARIANT.id(), "tracking",
                DeviceFaultRecords.DEFECT_PREFIX + "lying-flush", "m", "c", "s", "x", List.of(), "r", 1);
        try (ResultLog log = ResultLog.open(tmp.resolve("c"), info())) {
            Triage t = new Triage(config(tmp.resolve("c")), log);
            t.recall(List.of(attributed, unexplained, untriaged, harness, device));
            assertEquals(List.of(1, 2), t.recalledRuns(),
                    "an uninterrupted session never counts device-fault or untriaged findings as earlier ones");
        }
    }
}
