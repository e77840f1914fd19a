package org.eratestbed.model.pdata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * A test-only in-memory device: writes land at once (no volatile cache), every request is logged
 * ({@code "R 3"}, {@code "W 3"}, {@code "F"}, by 4 KiB block), reads or writes of chosen blocks and flushes
 * can be made to fail with EIO, and completion can be made asynchronous (from another thread).
 */
public final class MemDisk implements BlockDevice {
    private final byte[] data;
    private final List<String> log = new ArrayList<>();
    private final Set<Long> failReads = new HashSet<>();
    private final Set<Long> failWrites = new HashSet<>();
    private boolean failFlush;
    private ExecutorService async;

    public MemDisk(int blocks) {
        data = new byte[blocks * 4096];
    }

    public static MemDisk mib(int mib) {
        return new MemDisk(mib * 256);
    }

    /** Complete every later bio from a separate thread, after {@code submit} has returned. */
    public synchronized MemDisk completeAsynchronously() {
        async = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "memdisk-completion");
            t.setDaemon(true);
            return t;
        });
        return this;
    }

    @Override
    public long sizeSectors() {
        return data.length / SECTOR_SIZE;
    }

    @Override
    public void submit(Bio bio) {
        bio.validate(sizeSectors());
        IoStatus status;
        synchronized (this) {
            long block = bio.sector() / 8;
            switch (bio.op()) {
                case READ -> {
                    log.add("R " + block);
                    status = failReads.contains(block) ? IoStatus.IOERR : IoStatus.OK;
                    if (status.ok()) {
                        System.arraycopy(data, (int) (bio.sector() * SECTOR_SIZE), bio.data(), 0, bio.data().length);
                    }
                }
                case WRITE -> {
                    log.add("W " + block);
                    status = failWrites.contains(block) ? IoStatus.IOERR : IoStatus.OK;
                    if (status.ok()) {
                        System.arraycopy(bio.data(), 0, data, (int) (bio.sector() * SECTOR_SIZE), bio.data().length);
                    }
                }
                case FLUSH -> {
                    log.add("F");
                    status = failFlush ? IoStatus.IOERR : IoStatus.OK;
                }
                default -> status = IoStatus.NOTSUPP;
            }
        }
        ExecutorService ex;
        synchronized (this) {
            ex = async;
        }
        if (ex == null) {
            bio.complete(status);
        } else {
            IoStatus s = status;
            ex.execute(() -> bio.complete(s));
        }
    }

    public synchronized List<String> log() {
        return new ArrayList<>(log);
    }

    public synchronized void clearLog() {
        log.clear();
    }

    public synchronized void failReads(long block) {
        failReads.add(block);
    }

    public synchronized void failWrites(long block) {
        failWrites.add(block);
    }

    public synchronized void failFlush(boolean fail) {
        failFlush = fail;
    }

    public synchronized void healAll() {
        failReads.clear();
        failWrites.clear();
        failFlush = false;
    }

    /** A copy of one 4 KiB block as the device holds it. */
    public synchronized byte[] block(long b) {
        return Arrays.copyOfRange(data, (int) (b * 4096), (int) (b * 4096 + 4096));
    }

    public synchronized void poke(long b, int offset, byte value) {
        data[(int) (b * 4096) + offset] = value;
    }

    public synchronized void putBlock(long b, byte[] block) {
        System.arraycopy(block, 0, data, (int) (b * 4096), 4096);
    }

    @Override
    public String name() {
        return "memdisk";
    }

    @Override
    public synchronized void close() {
        if (async != null) {
            async.shutdownNow();
        }
    }
}
