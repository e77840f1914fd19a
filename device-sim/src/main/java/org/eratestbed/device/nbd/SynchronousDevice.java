package org.eratestbed.device.nbd;

import java.util.concurrent.CountDownLatch;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * A device that completes on threads of its own (an {@link NbdClientDevice}'s reader) seen as one that completes
 * inside {@code submit}, like an IMMEDIATE {@code SimDisk}: {@link #submit} sends the request, waits for its
 * reply and then runs the bio's completion on the submitter's thread.
 *
 * <p>Why: the deterministic scheduler owns every step of the model and knows only two kinds of device, those
 * that complete at once and those it drives itself; a completion arriving later on a foreign thread would look
 * like a request that never finishes (the actor would be declared blocked), and its callback would run outside
 * the scheduler. Waiting inside submit keeps every callback on the scheduler's thread, in a fixed order, so a
 * replay over NBD is the same replay as over an IMMEDIATE SimDisk.
 */
public final class SynchronousDevice implements BlockDevice {
    private final BlockDevice inner;

    public SynchronousDevice(BlockDevice inner) {
        this.inner = inner;
    }

    public BlockDevice inner() {
        return inner;
    }

    @Override
    public long sizeSectors() {
        return inner.sizeSectors();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void submit(Bio bio) {
        bio.validate(inner.sizeSectors());
        CountDownLatch done = new CountDownLatch(1);
        Bio forward;
        switch (bio.op()) {
            case READ:
                forward = Bio.read(bio.sector(), bio.data(), b -> done.countDown());
                break;
            case WRITE:
                forward = Bio.write(bio.sector(), bio.data(), bio.fua(), bio.preflush(), b -> done.countDown());
                break;
            case FLUSH:
                forward = Bio.flush(b -> done.countDown());
                break;
            case DISCARD:
                forward = Bio.discard(bio.sector(), bio.sectors(), b -> done.countDown());
                break;
            default:
                throw new AssertionError(bio.op());
        }
        inner.submit(forward);
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                // The request is on the wire: its reply (or the connection's failure) will come; wait for it.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        IoStatus status = forward.status();
        bio.complete(status);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "SynchronousDevice(" + inner + ")";
    }
}
