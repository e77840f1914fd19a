package org.eratestbed.stress.rig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.eratestbed.model.kernel.ActorKilled;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.kernel.WorkQueue;

/**
 * Real threads, but no thread of the model's own: the target's workqueue is kept here instead of getting a
 * worker thread ({@link Scheduler#startWorker}), and its work item ({@code do_work}) runs on the threads the
 * caller owns — lincheck's model checker, which can only schedule threads it manages, and which hangs on a
 * thread it does not. A work item is just code some kernel thread runs, so two ways of running it stand in
 * for the kworker:
 * <ul>
 *   <li>{@link #runWorker()}: one pass of the worker, called by a thread of the test (an actor "the kworker
 *       runs now"), so that the model checker can place the worker's run anywhere among the users' steps;</li>
 *   <li>a thread that has to wait ({@link #await}) for something only the worker can bring about runs the
 *       pending work itself, so that no run can hang for want of a worker that the scenario did not schedule
 *       (as a kworker is always there to take a queued item).</li>
 * </ul>
 * Either way the queue stays ordered: {@link WorkQueue#runPending()} never starts a second run while one is in
 * progress, and a run covers every queueing before it. Waits block on one monitor, as in
 * {@link org.eratestbed.model.kernel.ThreadScheduler}; yield points do nothing.
 */
public final class HostedWorkScheduler implements Scheduler {
    private final Object monitor = new Object();
    private final List<WorkQueue> queues = new ArrayList<>();

    @Override
    public void startWorker(WorkQueue queue, String name, Runnable loop) {
        synchronized (queues) {
            queues.add(queue);
        }
    }

    /** One pass of every hosted worker that has work pending; returns whether any ran. */
    public boolean runWorker() {
        List<WorkQueue> copy;
        synchronized (queues) {
            copy = new ArrayList<>(queues);
        }
        boolean ran = false;
        for (WorkQueue q : copy) {
            ran |= q.runPending();
        }
        return ran;
    }

    private boolean workPending() {
        synchronized (queues) {
            for (WorkQueue q : queues) {
                if (q.pending() && !q.running()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void yieldPoint(String label) {
        // Nothing: the threads' own scheduler (the JVM, or lincheck's model checker) decides.
    }

    @Override
    public void await(String what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (runWorker()) {
                continue;
            }
            synchronized (monitor) {
                // Work queued or a run finished after the checks above signals under this monitor, so testing
                // both again here, before waiting, loses no wake-up.
                if (condition.getAsBoolean() || workPending()) {
                    continue;
                }
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ActorKilled(Thread.currentThread().getName() + " (interrupted waiting for " + what + ")");
                }
            }
        }
    }

    @Override
    public void signalAll() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Nothing in the target spawns an actor but its workqueue, which this scheduler hosts. */
    @Override
    public void spawn(String name, Runnable body) {
        throw new UnsupportedOperationException("no threads of its own under a hosted-work scheduler: " + name);
    }

    @Override
    public boolean deterministic() {
        return false;
    }
}
