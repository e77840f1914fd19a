package org.eratestbed.model.kernel;

/**
 * A sleeping lock (struct mutex) whose waits go through the {@link Scheduler}, so a deterministic run can
 * switch actors while one holds it — which a Java monitor cannot allow: an actor parked inside
 * {@code synchronized} would block the next actor for real.
 */
public final class Mutex implements java.util.concurrent.locks.Lock {
    private final Scheduler scheduler;
    private final String name;
    private volatile Thread owner;

    public Mutex(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    @Override
    public void lock() {
        while (true) {
            synchronized (this) {
                if (owner == null) {
                    owner = Thread.currentThread();
                    return;
                }
                if (owner == Thread.currentThread()) {
                    throw new IllegalStateException("mutex " + name + " locked twice by " + owner.getName());
                }
            }
            scheduler.await("mutex " + name, () -> owner == null);
        }
    }

    @Override
    public void unlock() {
        synchronized (this) {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("mutex " + name + " unlocked by a thread that does not hold it");
            }
            owner = null;
        }
        scheduler.signalAll();
    }

    @Override
    public void lockInterruptibly() {
        lock();
    }

    @Override
    public synchronized boolean tryLock() {
        if (owner == null) {
            owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    @Override
    public boolean tryLock(long time, java.util.concurrent.TimeUnit unit) {
        return tryLock();
    }

    /** No code waits on a condition of a mutex; the scheduler's await is the way to wait. */
    @Override
    public java.util.concurrent.locks.Condition newCondition() {
        throw new UnsupportedOperationException("mutex " + name + " has no conditions: wait through the Scheduler");
    }
}
