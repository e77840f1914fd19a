package org.eratestbed.fault.campaign;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;

/**
 * Turns a run seed into a plan: a generated script, a scheduler seed, a concurrency window, and a crash
 * point. The crash point is chosen after a dry run of the same plan (same seed, so the same interleaving up
 * to any step): inside a metadata commit (I/O in flight), right after a commit's last flush, or at a
 * random step — the three kinds the design asks for.
 */
final class RunGenerator {
    static final int MAX_COMMANDS = 24;
    static final long MAX_STEPS = 200_000;

    private RunGenerator() {
    }

    static RunPlan plan(Predicate<Defect> live, long runSeed) {
        SplittableRandom r = new SplittableRandom(runSeed);
        RunPlan plan = new RunPlan(WorkloadGenerator.generate(r.nextLong(), MAX_COMMANDS), r.nextLong(),
                1 + r.nextInt(3), -1);
        plan = CampaignFaults.choose(runSeed, plan);
        RunExecutor.Outcome dry = RunExecutor.execute(live, plan, MAX_STEPS);
        return plan.withCrashStep(chooseCrash(r, dry));
    }

    static long chooseCrash(SplittableRandom r, RunExecutor.Outcome dry) {
        int kind = r.nextInt(10);
        List<Long> commits = dry.commitSteps();
        List<Long> flushes = dry.flushSteps();
        if (kind < 4 && !commits.isEmpty()) {
            return commits.get(r.nextInt(commits.size()));
        }
        if (kind < 7 && !flushes.isEmpty()) {
            return flushes.get(r.nextInt(flushes.size()));
        }
        if (kind == 9) {
            return -1; // no crash: the run's end state is checked too
        }
        return 1 + r.nextLong(Math.max(1, dry.steps()));
    }
}
