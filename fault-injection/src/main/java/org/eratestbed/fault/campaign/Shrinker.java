package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;

/**
 * Makes a failing plan small: drops commands one at a time, last first, keeping a candidate when the same
 * oracle still fails for some crash point of it (the original step if it still lies within the run, then
 * every commit and boundary step of a dry run). The interleaving comes from the same seed, so it changes
 * with the script; what is kept is a script and a crash step that fail together. Bounded by a number of
 * executions, not by time, so the same finding shrinks to the same plan on any machine and a resumed
 * campaign writes the same results as an uninterrupted one.
 *
 * <p>A candidate must also keep the finding's cause, or shrinking slips to another bug that fails the same oracle.
 * With no catalogued cause (the fixed model failed too), it fails on the fixed model itself. With a cause, the
 * cause must still matter: the candidate fails on the fixed model with just the cause's defects live (they are
 * enough), or passes on the variant with them fixed (they are needed). Either is how Attribution finds a cause,
 * and the test depends on the cause's defects alone, not on how they were found, so a finding an earlier session
 * wrote whole shrinks as it would have in one go. (Pre-5.12 seed 1 run 4, filed under de89afc1 by removal,
 * shrank on the variant alone to a bare create whose failure is testbed-format-unordered-commit's.)
 */
final class Shrinker {
    static final int MAX_EXECUTIONS = 40;
    static final int MAX_CRASH_TRIES = 12;

    private Shrinker() {
    }

    /**
     * What a candidate must show besides failing on the variant: fail on the fixed model with {@code cause} live
     * or pass on the variant with {@code cause} fixed; with no cause ({@code null}), fail on the fixed model; with
     * {@link #VARIANT}, nothing more.
     */
    record Keep(List<Defect> cause, boolean any) {
        /** Nothing more than the variant's own failure. */
        static final Keep VARIANT = new Keep(List.of(), true);
        /** No catalogued cause: the fixed model fails too. */
        static final Keep FIXED_MODEL = new Keep(List.of(), false);
    }

    /** What a candidate must also show to keep {@code cause} (null: no catalogued cause). */
    static Keep keeping(Attribution.Cause cause) {
        return cause == null ? Keep.FIXED_MODEL : keeping(cause.defects());
    }

    /** What a candidate must also show to keep the cause made of {@code defects}. */
    static Keep keeping(List<Defect> defects) {
        return defects.isEmpty() ? Keep.FIXED_MODEL : new Keep(List.copyOf(defects), false);
    }

    static RunPlan shrink(Predicate<Defect> live, Keep keeps, RunPlan failing, String oracle, int states,
            long stateSeed) {
        int[] budget = {MAX_EXECUTIONS};
        RunPlan best = failing;
        boolean progress = true;
        while (progress && budget[0] > 0) {
            progress = false;
            List<Command> cmds = best.script().commands();
            for (int i = cmds.size() - 1; i >= 0 && budget[0] > 0; i--) {
                List<Command> fewer = new ArrayList<>(cmds);
                fewer.remove(i);
                WorkloadScript s = WorkloadGenerator.renumber(new WorkloadScript(best.script().name(),
                        best.script().target(), fewer));
                RunPlan found = failingCrash(live, keeps, best.withScript(s), oracle, states, stateSeed, budget);
                if (found != null) {
                    best = found;
                    progress = true;
                    break;
                }
            }
        }
        return best;
    }

    private static RunPlan failingCrash(Predicate<Defect> live, Keep keeps, RunPlan candidate,
            String oracle, int states, long stateSeed, int[] budget) {
        try {
            return failingCrashOrThrow(live, keeps, candidate, oracle, states, stateSeed, budget);
        } catch (RuntimeException e) {
            // a candidate the testbed cannot run is not a smaller failing one
            return null;
        }
    }

    private static RunPlan failingCrashOrThrow(Predicate<Defect> live, Keep keeps, RunPlan candidate,
            String oracle, int states, long stateSeed, int[] budget) {
        budget[0]--;
        RunExecutor.Outcome dry = RunExecutor.execute(live, candidate.withCrashStep(-1), RunGenerator.MAX_STEPS);
        List<Long> steps = new ArrayList<>();
        if (candidate.crashStep() < 0 || candidate.crashStep() <= dry.steps()) {
            steps.add(candidate.crashStep());
        }
        steps.addAll(dry.commitSteps());
        steps.addAll(dry.flushSteps());
        steps.add(-1L);
        int tries = 0;
        for (long step : steps.stream().distinct().toList()) {
            if (tries++ >= MAX_CRASH_TRIES || budget[0]-- <= 0) {
                return null;
            }
            RunPlan p = candidate.withCrashStep(step);
            RunExecutor.Outcome o = step < 0 ? dry : RunExecutor.execute(live, p, RunGenerator.MAX_STEPS);
            if (fails(live, o, oracle, states, stateSeed) && keeps(keeps, live, p, oracle, states, stateSeed, budget)) {
                return p;
            }
        }
        return null;
    }

    private static boolean keeps(Keep keep, Predicate<Defect> variant, RunPlan p, String oracle, int states,
            long stateSeed, int[] budget) {
        if (keep.any()) {
            return true;
        }
        Predicate<Defect> enough = keep.cause()::contains;
        if (budget[0]-- > 0 && fails(enough, RunExecutor.execute(enough, p, RunGenerator.MAX_STEPS), oracle, states,
                stateSeed)) {
            return true;
        }
        if (keep.cause().isEmpty()) {
            return false;
        }
        Predicate<Defect> fixed = d -> variant.test(d) && !keep.cause().contains(d);
        return budget[0]-- > 0 && !fails(fixed, RunExecutor.execute(fixed, p, RunGenerator.MAX_STEPS), oracle, states,
                stateSeed);
    }

    private static boolean fails(Predicate<Defect> live, RunExecutor.Outcome o, String oracle, int states,
            long stateSeed) {
        return Oracles.check(live, o, stateSeed, states).violations().stream().anyMatch(v -> v.oracle().equals(oracle));
    }
}
