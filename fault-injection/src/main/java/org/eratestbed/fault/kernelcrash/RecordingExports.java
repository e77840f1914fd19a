package org.eratestbed.fault.kernelcrash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.nbd.NbdServer;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.kernel.NbdExports;

/**
 * The kernel guest's devices served by the project's own {@link NbdServer} from {@link SimDisk}s, so every
 * request the real kernel makes is recorded: a metadata export (its name ends in {@code metadata.img}) keeps
 * an I/O log to build crash states from; other exports (the origin) keep none, since only the metadata's
 * crash states are checked and an origin log would hold a copy of every data block written.
 *
 * <p>The server cannot withdraw an export, so {@link #delete} does nothing: a deleted export stays
 * served (unused; the kernel target names each script's exports afresh) and its disk stays readable until
 * {@link #close}, which the differential run relies on to check a script's crash states after it ended.
 */
public final class RecordingExports implements NbdExports {
    private final NbdServer server = new NbdServer();
    private final Map<String, SimDisk> disks = new ConcurrentHashMap<>();
    private boolean started;

    @Override
    public synchronized int port() {
        if (!started) {
            throw new IllegalStateException("no export yet: the server starts with the first one");
        }
        return server.port();
    }

    @Override
    public synchronized void create(String name, long sizeBytes, byte[] content) {
        if (sizeBytes % BlockDevice.SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("export " + name + " of " + sizeBytes + " bytes is not whole sectors");
        }
        SimDisk disk = SimDisk.builder(sizeBytes / BlockDevice.SECTOR_SIZE).name(name)
                .recordLog(name.endsWith("metadata.img")).build();
        if (content != null) {
            if (content.length % BlockDevice.SECTOR_SIZE != 0 || content.length > sizeBytes) {
                throw new org.eratestbed.device.BadInputException("an image of " + content.length
                        + " bytes does not fit export " + name + " of " + sizeBytes + " bytes in whole sectors");
            }
            load(disk, content);
        }
        server.export(name, disk);
        disks.put(name, disk);
        if (!started) {
            try {
                server.start(0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the NBD server on 127.0.0.1", e);
            }
            started = true;
        }
    }

    /**
     * Puts the starting image on the disk and flushes it, so it is durable in every crash state (the log starts
     * with these writes: a crash check needs no base image besides zeroes).
     */
    private static void load(SimDisk disk, byte[] content) {
        SyncIo io = new SyncIo(disk);
        int chunk = 1 << 20;
        for (int off = 0; off < content.length; off += chunk) {
            byte[] part = Arrays.copyOfRange(content, off, Math.min(content.length, off + chunk));
            if (!isZero(part)) {
                io.write(off / BlockDevice.SECTOR_SIZE, part);
            }
        }
        io.flush();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** The disk behind an export (null for an unknown name). */
    public SimDisk disk(String name) {
        return disks.get(name);
    }

    @Override
    public byte[] read(String name) {
        SimDisk d = disks.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no export " + name);
        }
        PageImage image = d.image();
        byte[] out = new byte[Math.toIntExact(image.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        image.read(0, out, 0, Math.toIntExact(image.sizeSectors()));
        return out;
    }

    @Override
    public void delete(String name) {
        // see the class comment: the export stays served and readable until close
    }

    @Override
    public synchronized void close() {
        server.close();
        disks.clear();
    }
}
