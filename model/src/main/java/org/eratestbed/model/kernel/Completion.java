package org.eratestbed.model.kernel;

/**
 * The kernel's struct completion: one side calls {@link #complete()}, the other
 * {@link #waitForCompletion()}. The volatile flag gives the happens-before edge the kernel's completion
 * gives (everything written before complete() is visible after the wait returns) — exactly what review
 * point M4 found missing in the first RPC handshake.
 */
public final class Completion {
    private final Scheduler scheduler;
    private volatile boolean done;

    public Completion(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public void complete() {
        done = true;
        scheduler.signalAll();
    }

    public void waitForCompletion(String what) {
        scheduler.await(what, () -> done);
    }

    public boolean done() {
        return done;
    }
}
