package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.Results;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A time budget bounds triage as well as the search: on pre-5.12, where nearly every run fails, a budget far
 * too short to attribute what the search finds ends near the budget instead of running on until every finding
 * is attributed and shrunk. Nothing found is lost: each failing run is written with its finding, those not
 * attributed as violations whose defect is {@code untriaged}, and their reproducers still replay.
 */
class CampaignBudgetTest {
    private static final Variant VARIANT = Variant.PRE_5_12;

    /** The first failing runs of campaign seed 3 on pre-5.12, as the search hands them to triage. */
    static List<Triage.Held> failingRuns(int n) {
        List<Triage.Held> out = new ArrayList<>();
        for (int run = 0; out.size() < n; run++) {
            long runSeed = Campaign.runSeed(3, run);
            RunPlan plan = RunGenerator.plan(VARIANT::has, runSeed);
            RunExecutor.Outcome o = RunExecutor.execute(VARIANT::has, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(VARIANT::has, o, runSeed, 4);
            if (c.first() != null) {
                RunRecord record = new RunRecord("1/1", run, runSeed, VARIANT.id(), o.steps(), o.crashPoint(), o.kind(),
                        c.statesTotal(), c.statesChecked(), 1, 1);
                out.add(new Triage.Held(run, runSeed, plan, c.first(), o.crashPoint(), Schedule.of(o), record, 1,
                        List.of()));
            }
        }
        return out;
    }

    @Test
    void findingsLeftWhenTheBudgetEndsAreWrittenUntriagedAndStillReplay(@TempDir Path tmp) {
        Path out = tmp.resolve("c");
        Campaign.Config cfg = new Campaign.Config(3, VARIANT, Duration.ofSeconds(1), 0, 1, 1, out, 4, "test");
        List<Triage.Held> held = failingRuns(3);
        try (ResultLog log = ResultLog.open(out, CampaignInfo.of(3, VARIANT.id(), "1s", "1/1", Instant.now(), "test"))) {
            Triage triage = new Triage(cfg, log);
            held.forEach(triage::hold);
            triage.step(true); // the first is attributed, then the budget is spent
            assertEquals(2, triage.flushUntriaged());
            assertTrue(triage.idle());
        }
        Results r = ResultReader.read(out);
        assertEquals(3, r.runs().size(), "every held run is written");
        assertEquals(3, r.findings().size(), "with its finding");
        List<Finding> untriaged = r.findings().stream().filter(f -> Finding.UNTRIAGED.equals(f.defect())).toList();
        assertEquals(List.of(held.get(1).run(), held.get(2).run()), untriaged.stream().map(Finding::run).toList());
        assertTrue(untriaged.stream().allMatch(f -> f instanceof ViolationRecord),
                "an untriaged finding is never passed off as known");
        Finding attributed = r.findings().stream().filter(f -> f.run() == held.get(0).run()).findFirst().orElseThrow();
        assertNotEquals(Finding.UNTRIAGED, attributed.defect(), "the attributed one keeps its cause");
        for (Finding f : untriaged) {
            Triage.Held h = held.stream().filter(x -> x.run() == f.run()).findFirst().orElseThrow();
            assertEquals(h.plan().script().toText(), f.script(), "an untriaged finding keeps its whole script");
            Campaign.Reproduction rep = Campaign.reproduce(Path.of(f.reproduce().split(" ")[3]), VARIANT);
            assertNotNull(rep.violation(), "run " + f.run() + ": the untriaged finding's reproducer replays");
            assertEquals(f.oracle(), rep.violation().oracle());
        }
    }

    @Test
    void aShortBudgetEndsNearTheBudgetWithEveryFindingWritten(@TempDir Path tmp) {
        Duration budget = Duration.ofSeconds(2);
        Path out = tmp.resolve("c");
        List<Campaign.Progress> progress = new ArrayList<>();
        long t0 = System.nanoTime();
        new Campaign(new Campaign.Config(3, VARIANT, budget, 0, 1, 1, out, 4, "test")).run(progress::add);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        Results r = ResultReader.read(out);
        assertFalse(r.findings().isEmpty(), "pre-5.12 fails in 2 s");
        Set<Integer> runs = new TreeSet<>();
        for (RunRecord run : r.runs()) {
            runs.add(run.run());
        }
        for (Finding f : r.findings()) {
            assertTrue(runs.contains(f.run()), "finding of run " + f.run() + " without its run record");
        }
        Campaign.Progress last = progress.get(progress.size() - 1);
        assertEquals(-1, last.run());
        assertEquals(r.findings().stream().filter(f -> Finding.UNTRIAGED.equals(f.defect())).count(), last.pending(),
                "the last progress report counts the untriaged findings");
        // Unbounded, triage of what 2 s of search finds on pre-5.12 (an attribution of a few executions per
        // finding, up to 40 executions per shrink) ran on for many seconds. Allowed past the budget: the run and
        // the task that had started when it ended, on a cold JIT and a shared machine.
        assertTrue(tookMs < budget.toMillis() + 3_000, "a 2 s campaign took " + tookMs + " ms");
    }
}
