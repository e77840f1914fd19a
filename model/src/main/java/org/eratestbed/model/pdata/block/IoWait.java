package org.eratestbed.model.pdata.block;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.eratestbed.device.Bio;

/**
 * How the {@link BlockManager} waits for the bios it submitted. A device may complete a bio inside
 * {@code submit} or later from anywhere; {@code allDone} reaches zero when every bio in {@code bios} has
 * completed. The default blocks on the latch, which suits real threads; a deterministic scheduler that
 * runs the device in the waiting thread supplies its own wait that steps the device until the latch is zero.
 */
@FunctionalInterface
public interface IoWait {
    IoWait LATCH = (bios, allDone) -> allDone.await();

    void await(List<Bio> bios, CountDownLatch allDone) throws InterruptedException;

    /** The block manager's lock: a plain reentrant lock, for real threads. */
    default java.util.concurrent.locks.Lock newLock() {
        return new java.util.concurrent.locks.ReentrantLock();
    }

    /**
     * Waits and locks through {@code scheduler}: I/O waits step the scheduler until the bios complete, and the
     * block manager's lock is a {@link org.eratestbed.model.kernel.Mutex}, so an actor that waits for it while
     * another holds it across an I/O wait lets the holder run.
     */
    static IoWait through(org.eratestbed.model.kernel.Scheduler scheduler) {
        return new IoWait() {
            @Override
            public void await(List<Bio> bios, CountDownLatch allDone) {
                scheduler.await("metadata I/O", () -> allDone.getCount() == 0);
            }

            @Override
            public java.util.concurrent.locks.Lock newLock() {
                return new org.eratestbed.model.kernel.Mutex(scheduler, "bufio");
            }
        };
    }
}
