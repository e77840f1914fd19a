package org.eratestbed.stress.rig;

/**
 * A device's service time, spent on the submitting thread before the request reaches the medium. Real disks
 * take tens to hundreds of microseconds per request; an in-memory SimDisk takes none, which would close the
 * very windows the concurrency tests look into (a write in flight, a commit in progress). Busy-waits instead
 * of sleeping: a sleep on this machine is at least ~60 µs and far less even.
 */
public final class Latency {
    private Latency() {
    }

    public static void spin(long nanos) {
        if (nanos <= 0) {
            return;
        }
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
