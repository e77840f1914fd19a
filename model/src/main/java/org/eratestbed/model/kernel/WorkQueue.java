package org.eratestbed.model.kernel;

/**
 * An ordered workqueue with one work item (dm-era's {@code alloc_ordered_workqueue} + {@code INIT_WORK}):
 * a single worker actor runs the work each time it is queued; queueing while it is already pending does
 * nothing, queueing while it runs makes it run once more.
 *
 * <p>{@link #flush()} and {@link #drain()} differ as the kernel's do, which is what fix 9ae6e8b1 is about:
 * flush waits only for the runs queued before it was called, so work that re-queues itself (the digest)
 * can still be running afterwards; drain waits until the queue is empty and idle, re-queues included.
 */
public final class WorkQueue {
    private final Scheduler scheduler;
    private final String name;
    private final Runnable work;
    private volatile boolean pending;
    private volatile boolean running;
    private volatile boolean destroyed;
    /** Number of times the work was queued, and of runs finished; a run covers every queueing before it. */
    private volatile long queuedSeq;
    private volatile long startedSeq;
    private volatile long completedSeq;

    public WorkQueue(Scheduler scheduler, String name, Runnable work) {
        this.scheduler = scheduler;
        this.name = name;
        this.work = work;
        scheduler.startWorker(this, name, this::workerLoop);
    }

    private void workerLoop() {
        while (true) {
            // Between two runs of the work anything else may happen, as between two kernel work items.
            scheduler.yieldPoint(name + " between runs");
            scheduler.await(name + " idle", () -> pending || destroyed);
            if (!pending && destroyed) {
                return;
            }
            synchronized (this) {
                claim();
            }
            runClaimed();
        }
    }

    /** Takes the pending work for one run; the caller holds this object's lock. */
    private void claim() {
        // running before pending: drain() reads the two without this lock (it waits under the
        // scheduler's), so it must never see "not pending" and then a "not running" from before the
        // run started — on real threads that let drain return while the work was about to run (found
        // by the stress suite: a digest step ran after postsuspend's drain, on a destroyed block manager).
        running = true;
        pending = false;
        startedSeq = queuedSeq;
    }

    private void runClaimed() {
        try {
            work.run();
        } finally {
            running = false;
            completedSeq = startedSeq;
            scheduler.signalAll();
        }
    }

    /**
     * One run of the work on the calling thread, if it is pending and no other run is in progress — for a
     * {@link Scheduler} that hosts the workqueue ({@link Scheduler#startWorker}) instead of giving it a thread
     * of its own. Like a kworker taking the item: the queue is still ordered (never two runs at once) and a
     * run still covers every queueing before it. Returns whether it ran the work.
     */
    public boolean runPending() {
        synchronized (this) {
            if (!pending || running) {
                return false;
            }
            claim();
        }
        runClaimed();
        return true;
    }

    /** queue_work: returns false if the work was already pending. */
    public synchronized boolean queueWork() {
        if (destroyed) {
            throw new IllegalStateException("queue_work on destroyed workqueue " + name);
        }
        if (pending) {
            return false;
        }
        pending = true;
        queuedSeq++;
        scheduler.signalAll();
        return true;
    }

    /** flush_workqueue: waits for every run queued before this call, not for later re-queues. */
    public void flush() {
        long target;
        synchronized (this) {
            target = queuedSeq;
        }
        scheduler.await(name + " flush", () -> completedSeq >= target);
    }

    /** drain_workqueue: waits until no work is pending or running, including work that re-queues itself. */
    public void drain() {
        scheduler.await(name + " drain", () -> !pending && !running);
    }

    /** destroy_workqueue: drains, then ends the worker. */
    public void destroy() {
        drain();
        destroyed = true;
        scheduler.signalAll();
    }

    public boolean pending() {
        return pending;
    }

    public boolean running() {
        return running;
    }
}
