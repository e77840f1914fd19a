package org.eratestbed.fault.campaign;

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
     * Upstream campaign seed 1, run 243: an in-flight violation whose generated script loads a table while the
     * device is active, and which M1 explains too. Filed under testbed-load-while-active and shrunk on the
     * variant alone, it became a 9-command script without a reload whose failure was M1's alone: the
     * reproducer no longer showed the bug it was filed for. Kept to "fails on the fixed model with the cause's
     * defect", the shrunk plan still shows it.
     */
    @Test
    void aShrunkReproducerKeepsTheDefectItWasFiledFor() {
        long runSeed = Campaign.runSeed(1, 243);
        Predicate<Defect> upstream = Variant.UPSTREAM::has;
        RunPlan plan = RunGenerator.plan(upstream, runSeed);
        Predicate<Defect> loadAlone = d -> d == Defect.LOAD_WHILE_ACTIVE;
        assertTrue(fails(upstream, plan, runSeed), "the run fails on upstream");
        assertTrue(fails(loadAlone, plan, runSeed), "the fixed model with only the table loaded while active fails too");
        Attribution.Cause cause = new Attribution.Cause(java.util.List.of(Defect.LOAD_WHILE_ACTIVE), Attribution.How.ALONE);
        RunPlan small = Shrinker.shrink(upstream, Shrinker.keeping(cause), plan, OracleIds.IN_FLIGHT, 16, runSeed);
        assertTrue(small.script().commands().size() < plan.script().commands().size(), small.toText());
        assertTrue(small.script().toText().contains("reload"), "the reload stays:\n" + small.toText());
        assertTrue(fails(loadAlone, small, runSeed), "the fixed model with the defect alone fails:\n" + small.toText());
        assertTrue(fails(upstream, small, runSeed), "and so does the variant:\n" + small.toText());
    }

    @Test
    void aCauseFoundAloneOrAsAPairKeepsItsDefectsAndARemovalKeepsNothingMore() {
        Attribution.Cause alone = new Attribution.Cause(java.util.List.of(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT),
                Attribution.How.ALONE);
        assertTrue(Shrinker.keeping(alone).test(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT));
        assertFalse(Shrinker.keeping(alone).test(Defect.DEADLOCK_2023));
        assertFalse(Shrinker.keeping(null).test(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT), "fixed model");
        assertTrue(Shrinker.keeping(new Attribution.Cause(java.util.List.of(Defect.DEADLOCK_2023),
                Attribution.How.REMOVAL)) == null);
    }

    private static boolean fails(Predicate<Defect> live, RunPlan plan, long seed) {
        RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
        return Oracles.check(live, o, seed, 16).violations().stream().anyMatch(v -> v.oracle().equals(OracleIds.IN_FLIGHT));
    }
}
