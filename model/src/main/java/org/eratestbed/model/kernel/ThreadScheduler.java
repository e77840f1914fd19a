package org.eratestbed.model.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real threads: yield points are no-ops and waits block on one monitor. The stress suites (jcstress,
 * lincheck) and the real-device runs use this driver; it adds no ordering of its own beyond what the
 * model's code establishes, so it can show the model's real races.
 */
public final class ThreadScheduler implements Scheduler {
    private final Object monitor = new Object();
    private final List<Thread> threads = new ArrayList<>();

    @Override
    public void yieldPoint(String label) {
        // Nothing: real preemption happens wherever the JVM and the OS decide.
    }

    @Override
    public void await(String what, BooleanSupplier condition) {
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
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

    @Override
    public void spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        synchronized (threads) {
            threads.add(t);
        }
        t.start();
    }

    @Override
    public boolean deterministic() {
        return false;
    }

    /** Interrupts every spawned thread and waits for them; returns false if one did not stop in time. */
    public boolean shutdown(long timeout, TimeUnit unit) {
        List<Thread> copy;
        synchronized (threads) {
            copy = new ArrayList<>(threads);
        }
        copy.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread t : copy) {
            long left = deadline - System.nanoTime();
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }
}
