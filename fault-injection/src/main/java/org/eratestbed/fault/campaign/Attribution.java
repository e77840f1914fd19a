package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * Which catalogued defects caused a violation. Runs are deterministic, so a difference between two runs of
 * the same plan is the doing of the defect switches alone. First, does the fully fixed model (no defect
 * live) fail the same way: then no catalogued defect is the cause, whatever the questions below would answer
 * (each "alone" run is the fixed model plus one defect, so the first one tried would take the credit), and
 * the finding is new. Otherwise three questions, in order:
 * <ol>
 * <li>alone: the first live defect that reproduces the oracle's failure on top of the fully fixed model;</li>
 * <li>removal: if none does alone (defects that only fail together), the first whose fix makes the oracle
 * pass on the variant;</li>
 * <li>pair: if no single removal fixes it either (two or more defects each enough to keep it failing, with
 * none enough alone), the first pair of live defects that reproduces it together on the fixed model — an
 * interaction, reported as {@code a+b}. Bounded by {@link #MAX_PAIRS} executions.</li>
 * </ol>
 */
final class Attribution {
    static final int MAX_PAIRS = 60;

    /** How a cause was established. */
    enum How { ALONE, REMOVAL, PAIR }

    /** One defect, or two that only fail together. */
    record Cause(List<Defect> defects, How how) {
        String id() {
            return defects.stream().map(Defect::id).collect(Collectors.joining("+"));
        }

        /** Upstream still has it: every defect of the cause is live in today's kernel. */
        boolean upstream() {
            return defects.stream().allMatch(Variant.UPSTREAM::has);
        }
    }

    private Attribution() {
    }

    /**
     * The cause of {@code oracle}'s failure on {@code plan}, or null when no catalogued defect explains it: the
     * fixed model fails too, or no defect, removal or pair within the bound accounts for it.
     *
     * @param firstTried defects to try before the others in the "alone" step (the campaign passes those it has
     *     not detected yet, see {@link Triage#EXPLORING_FINDINGS}). Every candidate named there reproduces the failure alone, so the answer is true
     *     either way; the order decides which of several independent causes gets the credit, so that one
     *     defect that fails almost every run (de89afc1 on pre-5.12) does not hide the others that the same run
     *     shows too.
     */
    static Cause cause(Variant variant, RunPlan plan, String oracle, int states, long stateSeed, List<Defect> firstTried) {
        List<Defect> live = new ArrayList<>();
        for (Defect d : firstTried) {
            if (variant.has(d)) {
                live.add(d);
            }
        }
        for (Defect d : Defect.values()) {
            if (variant.has(d) && !firstTried.contains(d)) {
                live.add(d);
            }
        }
        if (fails(x -> false, plan, oracle, states, stateSeed)) {
            return null;
        }
        for (Defect d : live) {
            if (fails(x -> x == d, plan, oracle, states, stateSeed)) {
                return new Cause(List.of(d), How.ALONE);
            }
        }
        for (Defect d : Defect.values()) {
            if (variant.has(d) && !fails(x -> x != d && variant.has(x), plan, oracle, states, stateSeed)) {
                return new Cause(List.of(d), How.REMOVAL);
            }
        }
        List<Defect> ordered = variant.defects().stream().sorted().toList();
        int tries = 0;
        for (int i = 0; i < ordered.size(); i++) {
            for (int j = i + 1; j < ordered.size(); j++) {
                if (tries++ >= MAX_PAIRS) {
                    return null;
                }
                Defect a = ordered.get(i);
                Defect b = ordered.get(j);
                if (fails(x -> x == a || x == b, plan, oracle, states, stateSeed)) {
                    return new Cause(List.of(a, b), How.PAIR);
                }
            }
        }
        return null;
    }

    private static boolean fails(Predicate<Defect> live, RunPlan plan, String oracle, int states, long stateSeed) {
        try {
            RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(live, o, stateSeed, states);
            return c.violations().stream().anyMatch(v -> v.oracle().equals(oracle));
        } catch (RuntimeException e) {
            // The testbed could not run this combination (see Campaign's harness findings): it tells nothing
            // about the cause, and one combination must not end the campaign.
            return false;
        }
    }
}
