package org.eratestbed.fault.campaign;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;

/**
 * Turns a run seed into a plan: a generated script, a scheduler seed, a concurrency window, and a crash
 * point. The crash point is chosen after a dry run of the same plan (same seed, so the same interleaving up
 * to any step): inside a metadata commit (I/O in flight; some of the time at its last step, or at the last
 * step of a commit during which a write was acknowledged), right after a commit's last flush, or at a
 * random step — the three kinds the design asks for.
 */
final class RunGenerator {
    static final int MAX_COMMANDS = 24;
    static final long MAX_STEPS = 200_000;

    private RunGenerator() {
    }

    static RunPlan plan(Predicate<Defect> live, long runSeed) {
        SplittableRandom r = new SplittableRandom(runSeed);
        RunPlan plan = basePlan(r, runSeed);
        RunExecutor.Outcome dry = RunExecutor.execute(live, plan, MAX_STEPS);
        return plan.withCrashStep(chooseCrash(r, dry));
    }

    /** The run's workload, schedule seed, window and faults, without a crash: what {@link #plan} dry-runs. */
    static RunPlan basePlan(long runSeed) {
        return basePlan(new SplittableRandom(runSeed), runSeed);
    }

    private static RunPlan basePlan(SplittableRandom r, long runSeed) {
        RunPlan plan = new RunPlan(WorkloadGenerator.generate(r.nextLong(), MAX_COMMANDS), r.nextLong(),
                window(r), -1);
        return CampaignFaults.choose(runSeed, plan);
    }

    /**
     * Commands in flight at once: one in a fifth of the runs (a plain sequential user), else two or three.
     * The races between a user's writes and the worker's commit need at least two.
     */
    static int window(SplittableRandom r) {
        return r.nextInt(5) == 0 ? 1 : 2 + r.nextInt(2);
    }

    static long chooseCrash(SplittableRandom r, RunExecutor.Outcome dry) {
        int kind = r.nextInt(10);
        List<Long> commits = dry.commitSteps();
        List<Long> flushes = dry.flushSteps();
        if (kind < 2 && !commits.isEmpty()) {
            return commits.get(r.nextInt(commits.size()));
        }
        List<Long> ackedPending = ackedWhileMarkPending(dry);
        if (kind < 5 && !ackedPending.isEmpty()) {
            // Right after a user's write returned while another write to its block waits for the worker's
            // commit: what tracks the returned write is only in memory. Rare in a dry run, so taken often.
            return ackedPending.get(r.nextInt(ackedPending.size()));
        }
        List<Long> acked = ackedDuringCommit(dry);
        if ((kind == 2 || kind == 3) && !acked.isEmpty()) {
            // Right after a user was told a write is done while a metadata commit is still in flight: the
            // moment at which every promise about that write rests on metadata that is not durable yet.
            return lastStepOf(commits, commits.indexOf(acked.get(r.nextInt(acked.size()))));
        }
        if (kind < 5 && !commits.isEmpty()) {
            // The last step of a commit before it drains: the longest a commit was in flight, so the most that
            // other actors (a second write to a block being marked, a completed bio) can have done meanwhile
            // while nothing of it is durable yet.
            return lastStepOf(commits, r.nextInt(commits.size()));
        }
        if (kind < 7 && !flushes.isEmpty()) {
            return flushes.get(r.nextInt(flushes.size()));
        }
        if (kind == 9) {
            return -1; // no crash: the run's end state is checked too
        }
        return 1 + r.nextLong(Math.max(1, dry.steps()));
    }

    /**
     * Steps of the dry run at which a write completed on the origin device while metadata I/O was in flight,
     * read from the scheduler's trace ("step label" lines).
     */
    static List<Long> ackedDuringCommit(RunExecutor.Outcome dry) {
        java.util.Set<Long> commits = new java.util.HashSet<>(dry.commitSteps());
        List<Long> out = new java.util.ArrayList<>();
        for (String line : dry.model().scheduler().trace()) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.startsWith("event:origin:complete WRITE", sp + 1)) {
                long step = Long.parseLong(line.substring(0, sp));
                if (commits.contains(step)) {
                    out.add(step);
                }
            }
        }
        return out;
    }

    /**
     * Steps of the dry run at which a user's write returned while another write to one of its blocks was still
     * in flight and the worker was between marking the writeset and the end of the commit that makes the
     * marks durable (its yield points "worker: writeset marked, before commit" and "worker: committed, before
     * issuing deferred bios" in the trace): two writers to one block around a commit, one of them already
     * told it is done while the marks are only in memory.
     */
    static List<Long> ackedWhileMarkPending(RunExecutor.Outcome dry) {
        List<Long> out = new java.util.ArrayList<>();
        java.util.Map<String, Integer> inFlight = new java.util.HashMap<>();
        boolean pending = false;
        for (String line : dry.model().scheduler().trace()) {
            int sp = line.indexOf(' ');
            if (sp < 0) {
                continue;
            }
            String label = line.substring(sp + 1);
            if (label.startsWith("event:user:start write ")) {
                inFlight.merge(label.substring("event:user:start ".length()), 1, Integer::sum);
            } else if (label.endsWith("@worker: writeset marked, before commit")) {
                pending = true;
            } else if (label.endsWith("@worker: committed, before issuing deferred bios")) {
                pending = false;
            } else if (label.startsWith("actor:write ") && label.endsWith("@dd I/O to complete")) {
                String name = label.substring("actor:".length(), label.length() - "@dd I/O to complete".length());
                long[] mine = range(name);
                boolean other = inFlight.entrySet().stream().anyMatch(e -> e.getValue()
                        - (e.getKey().equals(name) ? 1 : 0) > 0 && overlaps(mine, range(e.getKey())));
                if (pending && other) {
                    out.add(Long.parseLong(line.substring(0, sp)));
                }
                inFlight.merge(name, -1, Integer::sum);
            }
        }
        return out;
    }

    /** The blocks {@code [first, first + count)} of a "write FIRST COUNT" actor. */
    private static long[] range(String writeName) {
        String[] f = writeName.split(" ");
        long first = Long.parseLong(f[1]);
        return new long[] {first, first + Long.parseLong(f[2])};
    }

    private static boolean overlaps(long[] a, long[] b) {
        return a[0] < b[1] && b[0] < a[1];
    }

    /** The last step of the run of consecutive commit steps that holds {@code commits.get(i)}. */
    static long lastStepOf(List<Long> commits, int i) {
        int j = i;
        while (j + 1 < commits.size() && commits.get(j + 1) == commits.get(j) + 1) {
            j++;
        }
        return commits.get(j);
    }
}
