package org.eratestbed.device;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Blocking reads, writes and flushes on any {@link BlockDevice}: submit, wait for the completion, throw
 * {@link DeviceIoException} if it failed. Waiting on a {@link DrivenDevice} that only this thread could
 * complete would hang for ever, so that case fails at once with an {@link IllegalStateException}.
 */
public final class SyncIo {
    private final BlockDevice device;

    public SyncIo(BlockDevice device) {
        this.device = device;
    }

    public BlockDevice device() {
        return device;
    }

    /** Reads {@code buffer.length} bytes from {@code sector} into {@code buffer}. */
    public void read(long sector, byte[] buffer) {
        run(endIo -> Bio.read(sector, buffer, endIo));
    }

    public void write(long sector, byte[] data) {
        run(endIo -> Bio.write(sector, data, false, endIo));
    }

    public void write(long sector, byte[] data, boolean fua) {
        run(endIo -> Bio.write(sector, data, fua, endIo));
    }

    public void write(long sector, byte[] data, boolean fua, boolean preflush) {
        run(endIo -> Bio.write(sector, data, fua, preflush, endIo));
    }

    public void flush() {
        run(Bio::flush);
    }

    public void discard(long sector, int sectors) {
        run(endIo -> Bio.discard(sector, sectors, endIo));
    }

    /**
     * Submits the bio that {@code factory} builds around the given completion callback, waits for it and
     * returns it (completed), whatever its status.
     */
    public Bio submitAndWait(Function<Consumer<Bio>, Bio> factory) {
        CountDownLatch done = new CountDownLatch(1);
        Bio bio = factory.apply(b -> done.countDown());
        device.submit(bio);
        if (!bio.completed()) {
            if (device instanceof DrivenDevice d && d.completesOnlyWhenDrivenBy(Thread.currentThread())) {
                throw new IllegalStateException(device.name() + ": " + bio + " is queued and only this thread "
                        + "completes requests on this device, so waiting would hang; complete it first "
                        + "(pending()/complete()/completeAll()) or use an immediate-mode disk");
            }
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + bio + " on " + device.name(), e);
            }
        }
        return bio;
    }

    private void run(Function<Consumer<Bio>, Bio> factory) {
        Bio bio = submitAndWait(factory);
        if (!bio.status().ok()) {
            throw new DeviceIoException(device.name(), bio, bio.status());
        }
    }
}
