package org.eratestbed.model.kernel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An RCU-protected pointer, as dm-era uses for the current writeset: readers ({@code era_map}) dereference
 * it inside a read-side section; the updater publishes a new value ({@code rcu_assign_pointer}) and then
 * waits ({@code synchronize_rcu}) until no reader that could have seen the old one is still inside.
 *
 * <p>The grace period here waits for a moment with no reader inside at all — longer than the kernel's in
 * the worst case, never shorter, which is the property the model relies on.
 */
public final class Rcu<T> {
    private final Scheduler scheduler;
    private volatile T pointer;
    private final AtomicInteger readers = new AtomicInteger();

    public Rcu(Scheduler scheduler, T initial) {
        this.scheduler = scheduler;
        this.pointer = initial;
    }

    public void readLock() {
        readers.incrementAndGet();
    }

    public void readUnlock() {
        if (readers.decrementAndGet() == 0) {
            scheduler.signalAll();
        }
    }

    /** rcu_dereference: only inside a read-side section. */
    public T dereference() {
        return pointer;
    }

    /** rcu_assign_pointer. */
    public void assign(T value) {
        pointer = value;
    }

    /** synchronize_rcu. */
    public void synchronize() {
        scheduler.await("synchronize_rcu", () -> readers.get() == 0);
    }
}
