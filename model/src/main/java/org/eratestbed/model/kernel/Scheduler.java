package org.eratestbed.model.kernel;

import java.util.function.BooleanSupplier;

/**
 * How the model's concurrent code hands control around: the one seam between the target's code, written
 * once and kept as linear as the kernel's, and its two drivers.
 *
 * <ul>
 *   <li>{@link ThreadScheduler}: real threads; yield points do nothing, waits really block. jcstress and
 *       lincheck drive the model this way.</li>
 *   <li>{@link DeterministicScheduler}: every actor is a thread, but only the one the scheduler picks runs,
 *       from one yield point or wait to the next; the pick comes from a seed (or a recorded schedule), so
 *       every interleaving — and every crash point — is reproducible.</li>
 * </ul>
 *
 * <p>Yield points sit where the kernel could be preempted or sleep and something else could run in
 * between: between a writeset test and a commit, around metadata I/O, between map and submit. They are
 * the only places an interleaving can differ, so where they are decides what the campaigns can find.
 */
public interface Scheduler {
    /** A point where another actor may run, or the machine may crash. */
    void yieldPoint(String label);

    /**
     * Blocks the calling actor until {@code condition} holds. The condition must only read state that is
     * changed by code that calls {@link #signalAll()} afterwards.
     */
    void await(String what, BooleanSupplier condition);

    /** State that some {@link #await} may be waiting on has changed. */
    void signalAll();

    /** Starts an actor (a kernel thread, a workqueue worker, a user process issuing I/O). */
    void spawn(String name, Runnable body);

    /**
     * Starts the worker of a workqueue: by default an actor of its own running {@code loop}. A driver whose
     * threads all belong to someone else (lincheck's model checker runs only threads it manages) may keep
     * the queue instead and have its own threads call {@link WorkQueue#runPending()}; {@code loop} is then
     * never run.
     */
    default void startWorker(WorkQueue queue, String name, Runnable loop) {
        spawn(name, loop);
    }

    /** True for the deterministic driver (so a blocked caller can be reported instead of hanging). */
    boolean deterministic();
}
