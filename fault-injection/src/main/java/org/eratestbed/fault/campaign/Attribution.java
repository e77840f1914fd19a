package org.eratestbed.fault.campaign;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * Which catalogued defect caused a violation: the run is repeated with each of the variant's live defects
 * switched off in turn (its fixed path taken instead); the first whose fix makes the oracle pass is the
 * cause. Runs are deterministic, so a difference is the fix's doing, not chance.
 */
final class Attribution {
    private Attribution() {
    }

    static Defect cause(Variant variant, RunPlan plan, String oracle, int states, long stateSeed) {
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
