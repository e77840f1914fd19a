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
 * <p>A candidate must also keep the finding's cause ({@code cause}), or shrinking slips to another bug that fails
 * the same oracle: with a cause of one defect or a pair, the candidate fails on the fixed model with just those
 * live; with no catalogued cause (the fixed model failed too), on the fixed model itself. A cause found by
 * removal needs nothing more (the variant's own failure is what it was found on).
 */
final class Shrinker {
    static final int MAX_EXECUTIONS = 40;
    static final int MAX_CRASH_TRIES = 12;

    private Shrinker() {
    }

    /** What a candidate must also fail on to keep {@code cause} (null: nothing more than the variant). */
    static Predicate<Defect> keeping(Attribution.Cause cause) {
        return cause == null ? d -> false : cause.how() == Attribution.How.REMOVAL ? null : cause.defects()::contains;
    }

    /** @param keeps what a candidate must also fail on, from {@link #keeping}; null for the variant alone */
    static RunPlan shrink(Predicate<Defect> live, Predicate<Defect> keeps, RunPlan failing, String oracle, int states,
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

    private static RunPlan failingCrash(Predicate<Defect> live, Predicate<Defect> keeps, RunPlan candidate,
            String oracle, int states, long stateSeed, int[] budget) {
        try {
            return failingCrashOrThrow(live, keeps, candidate, oracle, states, stateSeed, budget);
        } catch (RuntimeException e) {
            // a candidate the testbed cannot run is not a smaller failing one
            return null;
        }
    }

    private static RunPlan failingCrashOrThrow(Predicate<Defect> live, Predicate<Defect> keeps, RunPlan candidate,
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
            if (fails(live, o, oracle, states, stateSeed) && (keeps == null || budget[0]-- > 0
                    && fails(keeps, RunExecutor.execute(keeps, p, RunGenerator.MAX_STEPS), oracle, states, stateSeed))) {
                return p;
            }
        }
        return null;
    }

    private static boolean fails(Predicate<Defect> live, RunExecutor.Outcome o, String oracle, int states,
            long stateSeed) {
        return Oracles.check(live, o, stateSeed, states).violations().stream().anyMatch(v -> v.oracle().equals(oracle));
    }
}
