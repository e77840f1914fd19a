package org.eratestbed.fault.campaign;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * Which catalogued defect caused a violation: the run is repeated on the fixed model with each of the
 * variant's live defects alone; the first that reproduces the oracle's failure is the cause. If none does
 * alone (defects that only fail together), each is switched off in turn instead, and the first whose fix
 * makes the oracle pass is named. Runs are deterministic, so a difference is the switch's doing.
 */
final class Attribution {
    private Attribution() {
    }

    static Defect cause(Variant variant, RunPlan plan, String oracle, int states, long stateSeed) {
        Defect alone = causeAlone(variant, plan, oracle, states, stateSeed);
        return alone != null ? alone : causeByRemoval(variant, plan, oracle, states, stateSeed);
    }

    /**
     * The first live defect that reproduces the violation alone, on top of the fully fixed model. Tried
     * first: switching a defect off can change timing (e.g. M13 moves status out of the worker, so it no
     * longer commits) and hide a violation another defect causes.
     */
    private static Defect causeAlone(Variant variant, RunPlan plan, String oracle, int states, long stateSeed) {
        for (Defect d : Defect.values()) {
            if (!variant.has(d)) {
                continue;
            }
            java.util.function.Predicate<Defect> only = x -> x == d;
            RunExecutor.Outcome o = RunExecutor.execute(only, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(only, o, stateSeed, states);
            if (c.violations().stream().anyMatch(v -> v.oracle().equals(oracle))) {
                return d;
            }
        }
        return null;
    }

    private static Defect causeByRemoval(Variant variant, RunPlan plan, String oracle, int states, long stateSeed) {
        for (Defect d : Defect.values()) {
            if (!variant.has(d)) {
                continue;
            }
            java.util.function.Predicate<Defect> without = x -> x != d && variant.has(x);
            RunExecutor.Outcome o = RunExecutor.execute(without, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(without, o, stateSeed, states);
            if (c.violations().stream().noneMatch(v -> v.oracle().equals(oracle))) {
                return d;
            }
        }
        return null;
    }
}
