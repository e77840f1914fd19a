package org.eratestbed.fault.kernel;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.nbd.NbdServer;
import org.eratestbed.device.sim.SimDisk;

/**
 * Exports served by the project's own {@link NbdServer}, each a {@link SimDisk} that records its I/O log: every
 * write, flush and FUA the guest's kernel sends is in {@link SimDisk#log()}, so crash states of the real
 * kernel can be built from it as for the model. A starting metadata image is written and flushed before the
 * export is served, so it is the first entry of the log (unless the export injects faults: then the image is
 * the disk's durable base, so that a plan's request numbers count the kernel's requests only).
 */
public final class SimDiskExports implements NbdExports {
    private final NbdServer server = new NbdServer();
    private final Map<String, SimDisk> disks = new ConcurrentHashMap<>();
    private volatile FaultPlan metadataFaults;
    private volatile FaultPlan originFaults;
    private boolean started;

    /** The server starts listening (on a port of the kernel's choosing) with the first export. */
    public SimDiskExports() {
        this(FaultPlan.NONE, FaultPlan.NONE);
    }

    /**
     * Exports whose disks inject faults: {@code metadata} on every export named {@code *-metadata.img} and
     * {@code origin} on every {@code *-origin.img} (the names {@link KernelTarget} gives), so the real kernel
     * meets the same device faults as the model in a campaign. A plan's {@code op=N} counts the kernel's own
     * requests: a starting image is the disk's durable base, not requests in its log.
     */
    public SimDiskExports(FaultPlan metadata, FaultPlan origin) {
        this.metadataFaults = metadata;
        this.originFaults = origin;
    }

    /** The plans for exports created from now on (the ones already served keep theirs). */
    public void faults(FaultPlan metadata, FaultPlan origin) {
        this.metadataFaults = metadata;
        this.originFaults = origin;
    }

    private FaultPlan faultsFor(String name) {
        if (name.endsWith("-metadata.img")) {
            return metadataFaults;
        }
        return name.endsWith("-origin.img") ? originFaults : FaultPlan.NONE;
    }

    @Override
    public synchronized int port() {
        if (!started) {
            throw new IllegalStateException("no export yet, so the NBD server is not listening");
        }
        return server.port();
    }

    @Override
    public void create(String name, long sizeBytes, byte[] content) {
        if (sizeBytes % BlockDevice.SECTOR_SIZE != 0) {
            throw new IllegalArgumentException(name + ": " + sizeBytes + " bytes is not whole sectors");
        }
        long sectors = sizeBytes / BlockDevice.SECTOR_SIZE;
        FaultPlan plan = faultsFor(name);
        SimDisk disk;
        if (plan.isEmpty()) {
            disk = SimDisk.builder(sectors).name(name).recordLog(true).build();
            if (content != null) {
                load(disk, content);
            }
        } else {
            SimDisk.Builder b = SimDisk.builder(sectors).name(name).recordLog(true).faults(plan);
            if (content != null) {
                SimDisk staging = SimDisk.builder(sectors).recordLog(false).build();
                load(staging, content);
                b.base(staging.durableImage());
            }
            disk = b.build();
        }
        server.export(name, disk);
        disks.put(name, disk);
        synchronized (this) {
            if (!started) {
                try {
                    server.start(0);
                } catch (IOException e) {
                    throw new KernelException("cannot start the NBD server: " + e.getMessage(), e);
                }
                started = true;
            }
        }
    }

    /**
     * Puts the starting image on the disk and flushes it, so it is durable in every crash state (the log
     * starts with these writes: a crash check needs no base image besides zeroes). All-zero chunks are skipped.
     */
    private static void load(SimDisk disk, byte[] content) {
        if (content.length % BlockDevice.SECTOR_SIZE != 0 || content.length > disk.sizeSectors() * BlockDevice.SECTOR_SIZE) {
            throw new org.eratestbed.device.BadInputException("an image of " + content.length
                    + " bytes does not fit export " + disk.name() + " of " + disk.sizeSectors() * BlockDevice.SECTOR_SIZE
                    + " bytes in whole sectors");
        }
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

    /** The disk behind an export, with its I/O log. */
    public SimDisk disk(String name) {
        SimDisk d = disks.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no export " + name);
        }
        return d;
    }

    @Override
    public byte[] read(String name) {
        SimDisk d = disk(name);
        byte[] out = new byte[(int) (d.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        d.image().read(0, out, 0, (int) d.sizeSectors());
        return out;
    }

    /**
     * Does nothing: the server cannot withdraw an export, so a deleted one stays served (unused: the kernel
     * target names each script's exports afresh) and its disk stays readable until {@link #close}, which a
     * differential run relies on to check a script's crash states after the script ended.
     */
    @Override
    public void delete(String name) {
    }

    @Override
    public void close() {
        server.close();
        disks.clear();
    }
}
