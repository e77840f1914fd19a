package org.eratestbed.model.kernel;

/**
 * A sleeping lock (struct mutex) whose waits go through the {@link Scheduler}, so a deterministic run can
 * switch actors while one holds it — which a Java monitor cannot allow: an actor parked inside
 * {@code synchronized} would block the next actor for real.
 */
public final class Mutex {
    private final Scheduler scheduler;
    private final String name;
    private volatile Thread owner;

    public Mutex(Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

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

    public void unlock() {
        synchronized (this) {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("mutex " + name + " unlocked by a thread that does not hold it");
            }
            owner = null;
        }
        scheduler.signalAll();
    }
}
