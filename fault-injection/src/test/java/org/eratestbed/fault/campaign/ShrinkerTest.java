package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;

/** Shrinking keeps the finding's cause: it does not slip to another bug that fails the same oracle. */
class ShrinkerTest {
    /**
     * Upstream campaign seed 1, run 633: an in-flight violation whose generated script loads a table while the
     * device is active, and which M1 explains too. Shrunk on the variant alone it becomes a 4-command script
     * without a reload whose failure is M1's alone: the reproducer no longer shows the bug it was filed for. Kept
     * to "fails on the fixed model with the cause's defect", the shrunk plan still shows it. (Run 243 showed the
     * same until the resume's swap got its own scheduling point.)
     */
    @Test
    void aShrunkReproducerKeepsTheDefectItWasFiledFor() {
        long runSeed = Campaign.runSeed(1, 633);
        Predicate<Defect> upstream = Variant.UPSTREAM::has;
        RunPlan plan = RunGenerator.plan(upstream, runSeed);
        Predicate<Defect> loadAlone = d -> d == Defect.LOAD_WHILE_ACTIVE;
        assertTrue(fails(upstream, plan, runSeed), "the run fails on upstream");
        assertTrue(fails(loadAlone, plan, runSeed), "the fixed model with only the table loaded while active fails too");
        Attribution.Cause cause = new Attribution.Cause(java.util.List.of(Defect.LOAD_WHILE_ACTIVE), Attribution.How.ALONE);
        RunPlan small = Shrinker.shrink(upstream, Shrinker.keeping(cause), plan, OracleIds.IN_FLIGHT, 16,
                runSeed);
        assertTrue(small.script().commands().size() < plan.script().commands().size(), small.toText());
        assertTrue(small.script().toText().contains("reload"), "the reload stays:\n" + small.toText());
        assertTrue(fails(loadAlone, small, runSeed), "the fixed model with the defect alone fails:\n" + small.toText());
        assertTrue(fails(upstream, small, runSeed), "and so does the variant:\n" + small.toText());
        RunPlan slipped = Shrinker.shrink(upstream, Shrinker.Keep.VARIANT, plan, OracleIds.IN_FLIGHT, 16, runSeed);
        assertFalse(slipped.script().toText().contains("reload"), "shrunk on the variant alone it slips to M1:\n"
                + slipped.script().toText());
    }

    /**
     * Pre-5.12 campaign seed 1, run 4: a metadata-consistency violation that no live defect shows alone and that
     * fixing de89afc1 makes pass, so it is filed under de89afc1 by removal. Shrunk on the variant alone it became
     * a bare create crashed inside the format: testbed-format-unordered-commit's failure, which fixing de89afc1
     * does not change. Kept to "passes with the cause fixed", the shrunk plan still depends on de89afc1.
     */
    @Test
    void aCauseFoundByRemovalStaysNecessaryInTheShrunkReproducer() {
        long runSeed = Campaign.runSeed(1, 4);
        Predicate<Defect> pre = Variant.PRE_5_12::has;
        String oracle = OracleIds.METADATA_CONSISTENCY;
        RunPlan plan = RunGenerator.plan(pre, runSeed);
        Attribution.Cause cause = Attribution.cause(Variant.PRE_5_12, plan, oracle, 16, runSeed, java.util.List.of());
        assertEquals(new Attribution.Cause(java.util.List.of(Defect.RECOVER_COMMITTED_WRITESET), Attribution.How.REMOVAL),
                cause);
        Predicate<Defect> fixed = d -> pre.test(d) && d != Defect.RECOVER_COMMITTED_WRITESET;
        RunPlan small = Shrinker.shrink(pre, Shrinker.keeping(cause), plan, oracle, 16, runSeed);
        assertTrue(fails(pre, small, runSeed, oracle), "the shrunk plan fails on pre-5.12:\n" + small.toText());
        assertFalse(fails(fixed, small, runSeed, oracle), "and passes with de89afc1 fixed:\n" + small.script().toText());
        RunPlan slipped = Shrinker.shrink(pre, Shrinker.Keep.VARIANT, plan, oracle, 16, runSeed);
        assertTrue(fails(fixed, slipped, runSeed, oracle), "shrunk on the variant alone it slips to another bug:\n"
                + slipped.script().toText());
    }

    @Test
    void aCauseKeepsItsDefectsHoweverItWasFound() {
        Attribution.Cause alone = new Attribution.Cause(java.util.List.of(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT),
                Attribution.How.ALONE);
        Attribution.Cause removal = new Attribution.Cause(java.util.List.of(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT),
                Attribution.How.REMOVAL);
        assertEquals(Shrinker.keeping(alone), Shrinker.keeping(removal), "an earlier session's record has no 'how'");
        assertEquals(java.util.List.of(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT), Shrinker.keeping(alone).cause());
        assertFalse(Shrinker.keeping(alone).any());
        assertEquals(Shrinker.Keep.FIXED_MODEL, Shrinker.keeping((Attribution.Cause) null), "no catalogued cause");
        assertEquals(Shrinker.Keep.FIXED_MODEL, Shrinker.keeping(java.util.List.of()));
    }

    private static boolean fails(Predicate<Defect> live, RunPlan plan, long seed) {
        return fails(live, plan, seed, OracleIds.IN_FLIGHT);
    }

    private static boolean fails(Predicate<Defect> live, RunPlan plan, long seed, String oracle) {
        RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
        return Oracles.check(live, o, seed, 16).violations().stream().anyMatch(v -> v.oracle().equals(oracle));
    }
}
