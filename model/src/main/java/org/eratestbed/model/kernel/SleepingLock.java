package org.eratestbed.model.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant sleeping lock whose waits go through the {@link Scheduler}, for code that holds a lock across a
 * wait for I/O (the block manager, whose lock stands for dm-bufio's mutex): under a deterministic scheduler
 * another actor that wants it is parked by the scheduler, not blocked on a Java monitor, so the run goes on.
 */
public final class SleepingLock implements Lock {
    private final Scheduler scheduler;
    private final String name;
    private volatile Thread owner;
    private int holds;

    public SleepingLock(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    @Override
    public void lock() {
        while (!tryLock()) {
            scheduler.await("lock " + name, () -> owner == null);
        }
    }

    @Override
    public void lockInterruptibly() {
        lock();
    }

    @Override
    public synchronized boolean tryLock() {
        Thread me = Thread.currentThread();
        if (owner == null || owner == me) {
            owner = me;
            holds++;
            return true;
        }
        return false;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) {
        return tryLock();
    }

    @Override
    public void unlock() {
        synchronized (this) {
            if (owner != Thread.currentThread()) {
                throw new IllegalMonitorStateException("lock " + name + " unlocked by a thread that does not hold it");
            }
            if (--holds == 0) {
                owner = null;
            }
        }
        scheduler.signalAll();
    }

    /** No code waits on a condition of this lock; the scheduler's await is the way to wait. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("lock " + name + " has no conditions: wait through the Scheduler");
    }
}
