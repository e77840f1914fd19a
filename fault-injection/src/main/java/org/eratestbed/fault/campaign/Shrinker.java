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
 */
final class Shrinker {
    static final int MAX_EXECUTIONS = 40;
    static final int MAX_CRASH_TRIES = 12;

    private Shrinker() {
    }

    static RunPlan shrink(Predicate<Defect> live, RunPlan failing, String oracle, int states, long stateSeed) {
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
                RunPlan found = failingCrash(live, best.withScript(s), oracle, states, stateSeed, budget);
                if (found != null) {
                    best = found;
                    progress = true;
                    break;
                }
            }
        }
        return best;
    }

    private static RunPlan failingCrash(Predicate<Defect> live, RunPlan candidate, String oracle, int states,
            long stateSeed, int[] budget) {
        try {
            return failingCrashOrThrow(live, candidate, oracle, states, stateSeed, budget);
        } catch (RuntimeException e) {
            // a candidate the testbed cannot run is not a smaller failing one
            return null;
        }
    }

    private static RunPlan failingCrashOrThrow(Predicate<Defect> live, RunPlan candidate, String oracle, int states,
            long stateSeed, int[] budget) {
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
            Oracles.Checked c = Oracles.check(live, o, stateSeed, states);
            if (c.violations().stream().anyMatch(v -> v.oracle().equals(oracle))) {
                return p;
            }
        }
        return null;
    }
}
