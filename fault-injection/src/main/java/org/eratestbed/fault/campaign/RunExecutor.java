package org.eratestbed.fault.campaign;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.model.UserIo;
import org.eratestbed.fault.replay.TargetUnderTest.Result;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.EventSource;
import org.eratestbed.model.kernel.RandomPolicy;

/**
 * Runs a {@link RunPlan} on the model: a user that keeps up to {@code window} commands in flight (a new one
 * starts when the scheduler picks it, like a second shell), both disks completing I/O only when the
 * scheduler says, and the power failing at the planned step. It records what a user could rely on before
 * the crash: every acknowledged write with its era, and the highest era a returned command showed.
 */
final class RunExecutor {
    /** What a run left behind. */
    record Outcome(RunPlan plan, ModelTarget model, List<ModelTarget.WriteAck> acks, int visibleEra, long steps,
            String crashPoint, CrashKind kind, List<String> stuck, List<Long> commitSteps, List<Long> flushSteps,
            List<UserIo> io, List<String> surfaced) {
    }

    private RunExecutor() {
    }

    static Outcome execute(Predicate<Defect> live, RunPlan plan, long maxSteps) {
        ModelTarget model = new ModelTarget(live, new RandomPolicy(plan.seed()), SimDisk.Completion.QUEUED)
                .faults(plan.metadataFaults(), plan.originFaults());
        List<ModelTarget.WriteAck> acks = new ArrayList<>();
        model.onWriteAck(acks::add);
        List<UserIo> io = new ArrayList<>();
        model.onUserIo(io::add);
        List<String> surfaced = new ArrayList<>();
        model.start(plan.script().target(), plan.script().originSectors(), null);
        DeterministicScheduler sched = model.scheduler();
        sched.maxSteps(maxSteps);
        Deque<Command> queue = new ArrayDeque<>();
        queue.add(new Command.Simple(1, Command.Kind.CREATE));
        queue.addAll(plan.script().commands());
        List<DeterministicScheduler.Actor> running = new ArrayList<>();
        int[] visibleEra = {0};
        // The user: starting the next command is one more thing the scheduler may choose to do.
        sched.addEventSource(new EventSource() {
            @Override
            public String name() {
                return "user";
            }

            @Override
            public int pendingEvents() {
                running.removeIf(a -> a.finished() && observe(model, a, visibleEra, surfaced));
                if (queue.isEmpty() || running.size() >= plan.window()) {
                    return 0;
                }
                // A create runs alone. A status racing the first resume would make the worker commit while
                // preresume commits directly (the worker is not stopped before the first resume, in the
                // kernel too); the model's block manager is a Java monitor that an actor cannot yield
                // inside, so that race is left out rather than deadlocking the simulation.
                boolean createRunning = running.stream().anyMatch(a -> a.name().equals("create"));
                boolean nextIsCreate = queue.peekFirst() instanceof Command.Simple c && c.kind() == Command.Kind.CREATE;
                return createRunning || (nextIsCreate && !running.isEmpty()) ? 0 : 1;
            }

            @Override
            public String describeEvent(int index) {
                return "start " + queue.peekFirst().text();
            }

            @Override
            public void fireEvent(int index) {
                running.add(model.begin(queue.pollFirst()));
            }
        });
        List<Long> commitSteps = new ArrayList<>();
        List<Long> flushSteps = new ArrayList<>();
        SimDisk md = model.metadataDisk();
        boolean[] wasPending = {false};
        long crashAt = plan.crashStep();
        DeterministicScheduler.Outcome out;
        boolean resumedAtEnd = false;
        while (true) {
            out = sched.runUntil(() -> {
                noteMetadataIo(md, sched.steps(), wasPending, commitSteps, flushSteps);
                return crashAt >= 0 && sched.steps() >= crashAt;
            });
            if (out == DeterministicScheduler.Outcome.QUIESCENT && !queue.isEmpty()) {
                // Everything in flight is blocked (a status on a suspended device): the next command comes
                // from another shell, as it would for a real user.
                running.add(model.begin(queue.pollFirst()));
                continue;
            }
            if (out == DeterministicScheduler.Outcome.QUIESCENT && !running.isEmpty() && !resumedAtEnd
                    && model.device() != null && model.device().liveTarget() != null && model.device().suspended()) {
                // The script left the device suspended with I/O or RPCs waiting on it: they block by design
                // until a resume, so a user would resume it (once) from another shell; whatever is still
                // blocked after that is a liveness failure.
                resumedAtEnd = true;
                running.add(model.begin(new Command.Simple(0, Command.Kind.RESUME)));
                continue;
            }
            break;
        }
        running.removeIf(a -> a.finished() && observe(model, a, visibleEra, surfaced));
        List<String> stuck = new ArrayList<>();
        if (out == DeterministicScheduler.Outcome.QUIESCENT) {
            for (DeterministicScheduler.Actor a : running) {
                stuck.add(a.name() + " blocked at " + a.at());
            }
        } else if (out == DeterministicScheduler.Outcome.FAILED) {
            stuck.add("model exception in " + sched.failedActor() + ": " + sched.failure());
        } else if (out == DeterministicScheduler.Outcome.STEP_LIMIT) {
            stuck.add("no end after " + sched.steps() + " steps");
        }
        String point;
        CrashKind kind;
        if (out == DeterministicScheduler.Outcome.STOPPED) {
            boolean inCommit = !md.pending().isEmpty();
            kind = inCommit ? CrashKind.INSIDE_COMMIT
                    : flushSteps.contains(sched.steps()) ? CrashKind.FLUSH_BOUNDARY : CrashKind.RANDOM;
            List<String> trace = sched.trace();
            point = "step " + sched.steps() + (trace.isEmpty() ? "" : " after " + trace.get(trace.size() - 1));
        } else {
            kind = CrashKind.NONE;
            point = "end of script (step " + sched.steps() + ")";
        }
        sched.crash();
        return new Outcome(plan, model, acks, visibleEra[0], sched.steps(), point, kind, stuck, commitSteps, flushSteps,
                io, surfaced);
    }

    /**
     * A finished command's result: the era it showed (status), if any, and any error it gave the user (a failed
     * command, or a status that is not an era status line). Always true, for removeIf.
     */
    private static boolean observe(ModelTarget model, DeterministicScheduler.Actor a, int[] visibleEra,
            List<String> surfaced) {
        if (a.failure() == null && a.result() instanceof Result.Done d) {
            for (String line : d.lines()) {
                long era = StatusLine.era(line);
                if (era >= 0) {
                    visibleEra[0] = Math.max(visibleEra[0], (int) era);
                } else if (a.name().equals("status")) {
                    surfaced.add("status: " + line);
                }
            }
        } else if (a.failure() == null && a.result() instanceof Result.Failed f) {
            surfaced.add(a.name() + ": " + (f.lines().isEmpty() ? "failed" : f.lines().get(0)));
        }
        return true;
    }

    /**
     * Steps at which metadata I/O was in flight (inside a commit) and the first step after it drained (a
     * boundary: the commit's last flush has just completed).
     */
    private static void noteMetadataIo(SimDisk md, long step, boolean[] wasPending, List<Long> commitSteps,
            List<Long> flushSteps) {
        boolean pending = !md.pending().isEmpty();
        if (pending) {
            commitSteps.add(step);
        } else if (wasPending[0]) {
            flushSteps.add(step);
        }
        wasPending[0] = pending;
    }
}
