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
}
