package org.eratestbed.model.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The seeded driver: every actor is a thread, but exactly one of them (or the scheduler itself) runs at a
 * time. An actor runs from one yield point or wait to the next; then control returns here and the
 * {@link ChoicePolicy} picks what happens next among the enabled options — an actor that can continue, an
 * actor whose wait condition now holds, or a pending event (a device completion). Same policy, same
 * choices, same run: the choices are recorded and can be replayed ({@link ReplayPolicy}).
 *
 * <p>Using threads with a single token, rather than rewriting the target as a state machine, keeps the
 * model's code as linear as the kernel's: {@code process_deferred_bios} can be preempted between its
 * writeset update and its commit exactly as the kernel's worker can sleep there.
 *
 * <p>Everything that calls model code runs inside an actor ({@link #spawn}, {@link #call}); the thread that
 * calls {@link #runUntil} only picks, fires events and watches.
 */
public final class DeterministicScheduler implements Scheduler {
    /** What a run of the scheduler loop ended with. */
    public enum Outcome {
        /** The stop condition held. */
        STOPPED,
        /** Nothing can run and no event is pending: every live actor waits on something that cannot happen. */
        QUIESCENT,
        /** The step budget ran out (a livelock, or a run longer than its budget). */
        STEP_LIMIT,
        /** An actor threw; see {@link #failure()}. */
        FAILED,
        /** {@link #crash()} was called before. */
        CRASHED
    }

    enum State { NEW, READY, WAITING, RUNNING, DONE, FAILED, KILLED }

    /** A handle on a spawned actor. */
    public final class Actor {
        private final String name;
        private final Semaphore go = new Semaphore(0);
        private volatile State state = State.NEW;
        private volatile String at = "start";
        private volatile BooleanSupplier condition;
        private volatile boolean killed;
        private volatile Throwable failure;
        private volatile Object result;
        private volatile Thread thread;
        /** What the actor runs; it gets a thread only when it is first picked. */
        private Supplier<?> body;
        private boolean started;

        private Actor(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public boolean done() {
            return state == State.DONE;
        }

        public boolean finished() {
            return state == State.DONE || state == State.FAILED || state == State.KILLED;
        }

        public boolean waiting() {
            return state == State.WAITING;
        }

        /** Where the actor last stopped: a yield point's label or what it waits for. */
        public String at() {
            return at;
        }

        public Throwable failure() {
            return failure;
        }

        public Object result() {
            return result;
        }

        @Override
        public String toString() {
            return name + "(" + state + " at " + at + ")";
        }
    }

    static final int WATCHDOG_SECONDS = 5;
    private final ChoicePolicy policy;
    private final List<Actor> actors = new ArrayList<>();
    private final List<EventSource> sources = new ArrayList<>();
    private final Semaphore back = new Semaphore(0);
    private final ThreadLocal<Actor> current = new ThreadLocal<>();
    private final List<Integer> choices = new ArrayList<>();
    private final Deque<String> trace = new ArrayDeque<>();
    private final int traceLimit;
    private long steps;
    private long maxSteps = 10_000_000L;
    private boolean crashed;
    private Actor failed;
    /** The stop condition of the {@link #runUntil} in progress, or null outside one. */
    private BooleanSupplier stop;
    /**
     * A decision an actor made at its yield point on the loop's behalf and that was not itself (an
     * {@link Outcome}, another actor, or an event): the loop carries it out instead of deciding again.
     */
    private Object decided;
    /** The actor that holds the token while the loop's thread waits (for the watchdog's message). */
    private volatile Actor running;

    public DeterministicScheduler(ChoicePolicy policy) {
        this(policy, 10_000);
    }

    /** @param traceLimit how many labelled steps to keep (the most recent ones) for reports */
    public DeterministicScheduler(ChoicePolicy policy, int traceLimit) {
        this.policy = Objects.requireNonNull(policy);
        this.traceLimit = traceLimit;
    }

    public DeterministicScheduler maxSteps(long max) {
        this.maxSteps = max;
        return this;
    }

    public void addEventSource(EventSource source) {
        sources.add(source);
    }

    @Override
    public boolean deterministic() {
        return true;
    }

    @Override
    public void spawn(String name, Runnable body) {
        start(name, () -> {
            body.run();
            return null;
        });
    }

    /** Spawns an actor that computes a value; it runs only when the scheduler picks it. */
    public Actor start(String name, Supplier<?> body) {
        Actor a = new Actor(name);
        a.body = body;
        actors.add(a);
        return a;
    }

    /**
     * Lets the picked actor {@code a} run: its first time on a thread of its own taken from the pool (so the
     * thread starts straight into the actor instead of waking to wait for its first turn), later by waking it.
     */
    private void wake(Actor a) {
        if (a.started) {
            a.go.release();
            return;
        }
        a.started = true;
        Supplier<?> body = a.body;
        a.body = null;
        ActorThreads.run("det-" + a.name, () -> runActor(a, body));
    }

    private void runActor(Actor a, Supplier<?> body) {
        a.thread = Thread.currentThread();
        try {
            a.state = State.RUNNING;
            current.set(a);
            a.result = body.get();
            a.state = State.DONE;
        } catch (ActorKilled k) {
            a.state = State.KILLED;
        } catch (Throwable t) {
            a.failure = t;
            a.state = State.FAILED;
        } finally {
            // A pooled thread runs other actors (of other schedulers) later: it must not keep this one.
            current.remove();
            if (a.state == State.FAILED && stop != null) {
                failed = a;
            }
            switchFrom(a);
        }
    }

    @Override
    public void yieldPoint(String label) {
        Actor a = current.get();
        if (a == null) {
            return; // code run by the scheduler's own thread (an event's completion) runs atomically
        }
        a.at = label;
        a.state = State.READY;
        switchFrom(a);
    }

    @Override
    public void await(String what, BooleanSupplier condition) {
        Actor a = current.get();
        if (a == null) {
            if (!condition.getAsBoolean()) {
                throw new IllegalStateException("wait for " + what + " outside an actor: run the caller in spawn()/call()");
            }
            return;
        }
        if (condition.getAsBoolean()) {
            return;
        }
        a.at = what;
        a.condition = condition;
        a.state = State.WAITING;
        switchFrom(a);
        a.condition = null;
    }

    @Override
    public void signalAll() {
        // Conditions are re-evaluated before every choice.
    }

    /**
     * Gives up the token from {@code a}'s own thread ({@code a} has just yielded, started to wait, or finished)
     * and, unless it finished, returns when it is picked again. Inside {@link #runUntil} the loop's next
     * decision is made right here, with the same checks in the same order as the loop would make them: when
     * the policy picks {@code a} again it simply goes on, another actor gets the token straight from this
     * thread, and only an event or the end of the run goes back to the loop's thread. The interleaving is the
     * loop's, choice for choice; what is saved is the thread hand-offs (to the loop and on), which on a busy
     * machine cost more than the steps themselves.
     */
    private void switchFrom(Actor a) {
        if (stop != null && !a.killed) {
            Object d;
            try {
                d = decide();
            } catch (RuntimeException | Error e) {
                d = new Raised(e); // the loop's own failure: rethrown by the loop, not the actor's
            }
            if (d == a) {
                a.state = State.RUNNING;
                return;
            }
            if (d instanceof Actor b) {
                running = b;
                b.state = State.RUNNING;
                wake(b);
            } else {
                decided = d;
                back.release();
            }
        } else {
            back.release();
        }
        if (a.finished()) {
            return;
        }
        a.go.acquireUninterruptibly();
        if (a.killed) {
            throw new ActorKilled(a.name);
        }
        a.state = State.RUNNING;
    }

    /** Runs until {@code stop} holds, nothing can happen, an actor fails, or the step budget is spent. */
    public Outcome runUntil(BooleanSupplier stop) {
        BooleanSupplier outer = this.stop;
        this.stop = Objects.requireNonNull(stop);
        decided = null;
        try {
            while (true) {
                Object d = decided != null ? decided : decide();
                decided = null;
                if (d instanceof Raised r) {
                    if (r.thrown() instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) r.thrown();
                }
                if (d instanceof Outcome o) {
                    return o;
                }
                if (d instanceof Actor a) {
                    running = a;
                    a.state = State.RUNNING;
                    wake(a);
                    awaitHandBack(); // until an actor ends the run or needs an event fired
                } else {
                    int[] ev = (int[]) d;
                    sources.get(ev[0]).fireEvent(ev[1]);
                }
            }
        } finally {
            this.stop = outer;
            decided = null;
        }
    }

    /** What {@link #decide} threw on an actor's thread, for the loop to throw as it would have. */
    private record Raised(Throwable thrown) {
        Raised {
            Objects.requireNonNull(thrown);
        }
    }

    private final List<String> labels = new ArrayList<>();
    private final List<Object> targets = new ArrayList<>();

    /**
     * One turn of the loop up to its choice: the {@link Outcome} the run ends with, or the chosen actor or
     * event ({@code int[]{source, index}}), the step already counted and recorded. Runs on whichever thread
     * holds the token: the loop's, or the actor's at a yield point.
     */
    private Object decide() {
        if (crashed) {
            return Outcome.CRASHED;
        }
        if (failed != null) {
            return Outcome.FAILED;
        }
        if (stop.getAsBoolean()) {
            return Outcome.STOPPED;
        }
        labels.clear();
        targets.clear();
        for (Actor a : actors) {
            if (a.state == State.NEW || a.state == State.READY
                    || (a.state == State.WAITING && a.condition.getAsBoolean())) {
                labels.add("actor:" + a.name + "@" + a.at);
                targets.add(a);
            }
        }
        for (EventSource s : sources) {
            int n = s.pendingEvents();
            for (int i = 0; i < n; i++) {
                labels.add("event:" + s.name() + ":" + s.describeEvent(i));
                targets.add(new int[] {sources.indexOf(s), i});
            }
        }
        if (labels.isEmpty()) {
            return Outcome.QUIESCENT;
        }
        if (steps >= maxSteps) {
            return Outcome.STEP_LIMIT;
        }
        int pick = policy.choose(steps, List.copyOf(labels));
        if (pick < 0 || pick >= labels.size()) {
            throw new IllegalStateException("policy chose " + pick + " of " + labels.size() + " options");
        }
        steps++;
        choices.add(pick);
        record(labels.get(pick));
        return targets.get(pick);
    }

    /**
     * Waits for the running actor to reach its next yield point. An actor that blocks on a Java monitor held
     * by a parked actor would hang the run for good; the watchdog turns that into a clear failure.
     */
    private void awaitHandBack() {
        try {
            while (!back.tryAcquire(WATCHDOG_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                Actor a = running;
                Thread t = a.thread;
                if (t != null && t.getState() == Thread.State.BLOCKED) {
                    throw new IllegalStateException("actor " + a.name + " is blocked on a Java monitor held by a"
                            + " parked actor (at " + a.at + "): that lock must go through the Scheduler; "
                            + monitorHolder(t));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + running.name + " ran", e);
        }
    }

    /** Which monitor a blocked thread wants and where its holder is parked: what a reader needs to fix it. */
    private static String monitorHolder(Thread blocked) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.lang.management.ThreadInfo info = mx.getThreadInfo(blocked.getId(), 0);
        if (info == null) {
            return "no thread info";
        }
        StringBuilder b = new StringBuilder("wants ").append(info.getLockName()).append(" held by ")
                .append(info.getLockOwnerName());
        if (info.getLockOwnerId() >= 0) {
            java.lang.management.ThreadInfo owner = mx.getThreadInfo(new long[] {info.getLockOwnerId()}, true, false)[0];
            if (owner != null) {
                int shown = 0;
                for (StackTraceElement e : owner.getStackTrace()) {
                    if (e.getClassName().startsWith("org.eratestbed") && shown++ < 6) {
                        b.append(" < ").append(e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1))
                                .append('.').append(e.getMethodName()).append(':').append(e.getLineNumber());
                    }
                }
            }
        }
        return b.toString();
    }

    /** Runs until every actor has finished or nothing more can happen. */
    public Outcome runToQuiescence() {
        return runUntil(() -> false);
    }

    /**
     * Runs {@code body} as an actor named {@code name} until it finishes, or until the system can do nothing
     * more while it still waits (it is then blocked, as a command on a suspended dm-era is).
     */
    public Actor call(String name, Supplier<?> body) {
        Actor a = start(name, body);
        runUntil(a::finished);
        return a;
    }

    /**
     * The power goes: no actor runs again. Each is unwound at the point where it stopped (by
     * {@link ActorKilled}) so its thread ends; nothing it would have done next happens.
     */
    public void crash() {
        crashed = true;
        for (Actor a : actors) {
            if (!a.started) {
                // never picked: it has no thread and did nothing, so there is nothing to unwind
                a.killed = true;
                a.body = null;
                a.state = State.KILLED;
                continue;
            }
            if (!a.finished()) {
                a.killed = true;
                a.go.release();
                back.acquireUninterruptibly();
            }
        }
    }

    public boolean crashed() {
        return crashed;
    }

    public long steps() {
        return steps;
    }

    /** Every choice made so far: feed it to a {@link ReplayPolicy} to run the same interleaving again. */
    public int[] choices() {
        return choices.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The most recent labelled steps (at most the trace limit), oldest first. */
    public List<String> trace() {
        return List.copyOf(trace);
    }

    /** The actor that failed, if a run ended with {@link Outcome#FAILED}. */
    public Throwable failure() {
        return failed == null ? null : failed.failure;
    }

    public String failedActor() {
        return failed == null ? null : failed.name;
    }

    /** Actors that have not finished: after {@link Outcome#QUIESCENT}, these are blocked. */
    public List<Actor> liveActors() {
        List<Actor> live = new ArrayList<>();
        for (Actor a : actors) {
            if (!a.finished()) {
                live.add(a);
            }
        }
        return live;
    }

    private void record(String label) {
        if (traceLimit <= 0) {
            return;
        }
        if (trace.size() == traceLimit) {
            trace.removeFirst();
        }
        trace.addLast(steps + " " + label);
    }
}
