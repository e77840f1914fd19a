package org.eratestbed.fault.scenario;

import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.dm.DmTarget;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ChoicePolicy;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.EventSource;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;

/**
 * One simulated machine for a scenario: dm-era (a {@link MappedDevice} with the era target type, running the
 * code a {@link Side} selects) over a metadata and an origin {@link SimDisk}, every step owned by a
 * {@link DeterministicScheduler}. User commands (dd, dmsetup) are actors; a command that cannot finish when
 * nothing else can happen is blocked, which a scenario can see. Devices are named as in the kernel runs.
 */
final class Machine implements AutoCloseable {
    static final String METADATA = "/dev/nbd0";
    static final String ORIGIN = "/dev/nbd1";
    static final long BLOCK_SECTORS = 8;

    /** How to build the machine; every field has the small default the scenarios share. */
    static final class Config {
        long metadataSectors = 4 << 11; // 4 MiB
        long originBlocks = 64;
        PageImage metadataBase;
        FaultPlan metadataFaults = FaultPlan.NONE;
        boolean queuedOrigin;
        boolean strictAlignment;
        ChoicePolicy policy = new ScriptedPolicy(List.of());

        Config metadataSectors(long s) {
            metadataSectors = s;
            return this;
        }

        Config originBlocks(long n) {
            originBlocks = n;
            return this;
        }

        Config metadataBase(PageImage base) {
            metadataBase = base;
            return this;
        }

        Config metadataFaults(FaultPlan p) {
            metadataFaults = p;
            return this;
        }

        Config queuedOrigin() {
            queuedOrigin = true;
            return this;
        }

        Config strictAlignment() {
            strictAlignment = true;
            return this;
        }

        Config policy(ChoicePolicy p) {
            policy = p;
            return this;
        }
    }

    /** What a command actor did: finished (with a value or an error) or is blocked. */
    record Outcome(String command, boolean finished, Object value, DmException error, Throwable oops) {
        boolean ok() {
            return finished && error == null && oops == null;
        }

        @Override
        public String toString() {
            if (!finished) {
                return command + ": blocked";
            }
            if (oops != null) {
                return command + ": kernel BUG: " + oops.getClass().getSimpleName() + ": " + oops.getMessage();
            }
            if (error != null) {
                return command + ": failed: " + error.getMessage() + " (" + error.strerror() + ")";
            }
            return command + ": ok" + (value instanceof String s ? " -> " + s : "");
        }
    }

    final DeterministicScheduler scheduler;
    final SimDisk metadata;
    final SimDisk origin;
    final MappedDevice dm;
    private final DeviceRegistry devices = new DeviceRegistry();
    private final EraTargetType type;
    private MappedDevice second;
    final KernelLog log = new KernelLog();
    final Vmalloc vmalloc = new Vmalloc();
    private long writeSeq;

    Machine(Predicate<Defect> live, Config c) {
        scheduler = new DeterministicScheduler(c.policy);
        SimDisk.Builder mb = SimDisk.builder(c.metadataSectors).name("metadata").faults(c.metadataFaults);
        if (c.metadataBase != null) {
            mb.base(c.metadataBase);
        }
        metadata = mb.build();
        metadata.setDriver(null);
        SimDisk.Builder ob = SimDisk.builder(Math.max(8, c.originBlocks * BLOCK_SECTORS)).name("origin").recordLog(false);
        if (c.queuedOrigin) {
            ob.queued();
        }
        origin = ob.build();
        origin.setDriver(null);
        if (c.queuedOrigin) {
            scheduler.addEventSource(events(origin));
        }
        devices.add(METADATA, "43:0", metadata);
        devices.add(ORIGIN, "43:32", origin);
        IoWait ioWait = IoWait.through(scheduler);
        type = new EraTargetType(scheduler, live, ioWait, vmalloc).strictAlignment(c.strictAlignment);
        dm = new MappedDevice("era0", "253:0", scheduler, devices, log, Map.of("era", type));
    }

    private static EventSource events(SimDisk disk) {
        return new org.eratestbed.fault.model.SimDiskEvents(disk);
    }

    static String table(long blocks, long blockSectors) {
        return "0 " + blocks * blockSectors + " era " + METADATA + " " + ORIGIN + " " + blockSectors;
    }

    static String table(long blocks) {
        return table(blocks, BLOCK_SECTORS);
    }

    // ------------------------------------------------------------------ commands (each one an actor)

    /** Starts a command as an actor; it runs only when the scheduler picks it. */
    DeterministicScheduler.Actor start(String name, Supplier<?> body) {
        return scheduler.start(name, body);
    }

    /** Starts a command as an actor whose dm error is its result (so the run goes on), as a shell's dmsetup. */
    DeterministicScheduler.Actor command(String name, Runnable body) {
        return scheduler.start(name, () -> {
            try {
                body.run();
                return null;
            } catch (DmException e) {
                return e;
            }
        });
    }

    /** Runs a command to its end, or until the machine can do nothing more while it still waits (blocked). */
    Outcome run(String name, Supplier<?> body) {
        DeterministicScheduler.Actor a = scheduler.call(name, () -> {
            try {
                return body.get();
            } catch (DmException e) {
                return e;
            }
        });
        return outcome(a);
    }

    Outcome runVoid(String name, Runnable body) {
        return run(name, () -> {
            body.run();
            return null;
        });
    }

    static Outcome outcome(DeterministicScheduler.Actor a) {
        if (!a.finished()) {
            return new Outcome(a.name(), false, null, null, null);
        }
        if (a.failure() instanceof DmException e) {
            return new Outcome(a.name(), true, null, e, null);
        }
        if (a.failure() != null) {
            return new Outcome(a.name(), true, null, null, a.failure());
        }
        Object v = a.result();
        if (v instanceof DmException e) {
            return new Outcome(a.name(), true, null, e, null);
        }
        return new Outcome(a.name(), true, v, null, null);
    }

    /** A second dm device (era1) on the same metadata and origin devices, as LVM may build during a rename. */
    MappedDevice second() {
        if (second == null) {
            second = new MappedDevice("era1", "253:1", scheduler, devices, log, Map.of("era", type));
        }
        return second;
    }

    /**
     * era_ctr for {@code table} on the machine's devices, outside any dm device: a table as dm core holds it
     * between dm_swap_table and dm_resume (live, its preresume not run yet). The outcome's value is the target.
     */
    Outcome construct(String table) {
        String[] w = table.trim().split("\\s+");
        return run("ctr", () -> type.ctr(new DmTarget(Long.parseLong(w[0]), Long.parseLong(w[1]), devices, log),
                Arrays.copyOfRange(w, 3, w.length)));
    }

    Outcome create(String table) {
        return runVoid("create", () -> dm.create(table));
    }

    Outcome load(String table) {
        return runVoid("load", () -> dm.load(table));
    }

    Outcome resume() {
        return runVoid("resume", dm::resume);
    }

    Outcome suspend() {
        return runVoid("suspend", dm::suspend);
    }

    Outcome clear() {
        return runVoid("clear", dm::clear);
    }

    Outcome remove() {
        return runVoid("remove", dm::remove);
    }

    Outcome message(String m) {
        return runVoid(m, () -> dm.message(m));
    }

    Outcome status() {
        return run("status", () -> dm.status(StatusType.INFO));
    }

    /** dd oflag=direct of one era block (8 sectors): a command actor that waits for its write. */
    Outcome write(long block) {
        return run("dd " + block, () -> writeBody(block, BLOCK_SECTORS));
    }

    /** The body of a one-block O_DIRECT write, for scenarios that start the actor themselves. */
    Object writeBody(long block, long blockSectors) {
        byte[] data = new byte[(int) (blockSectors * BlockDevice.SECTOR_SIZE)];
        ByteBuffer.wrap(data).putLong(0, block).putLong(8, ++writeSeq);
        Bio bio = Bio.write(block * blockSectors, data, false, null);
        dm.submit(bio);
        scheduler.await("dd write of block " + block, bio::completed);
        if (bio.status() != IoStatus.OK) {
            throw new DmException(org.eratestbed.model.pdata.Errno.EIO, "write of block " + block + " failed");
        }
        return null;
    }

    /** Lets everything that can still happen happen (the worker's digest, queued completions). */
    void settle() {
        scheduler.runToQuiescence();
    }

    // ------------------------------------------------------------------ what the metadata device holds

    /** The metadata device as its medium holds it now (every completed write, flushed or not). */
    byte[] metadataImage() {
        return bytes(metadata.image());
    }

    static byte[] bytes(PageImage image) {
        byte[] out = new byte[(int) (image.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        image.read(0, out, 0, (int) image.sizeSectors());
        return out;
    }

    /** era_invalidate --written-since {@code era} on an image: the listed blocks. */
    static TreeSet<Long> invalidate(byte[] image, long era, boolean includeCurrent) {
        StringWriter out = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), era, false, includeCurrent,
                new InvalidateXml.RunWriter(out));
        TreeSet<Long> blocks = new TreeSet<>();
        for (long[] run : InvalidateXml.parse(out.toString())) {
            for (long b = run[0]; b < run[1]; b++) {
                blocks.add(b);
            }
        }
        return blocks;
    }

    /** check (era_check) on an image: the problems, empty when it passes. */
    static List<String> check(byte[] image) {
        CheckReport r = EraCheck.check(new ByteArrayBlockSource(image));
        return r.ok() ? List.of() : new ArrayList<>(r.lines());
    }

    /** A copy of {@code image} with its superblock changed by {@code edit} and checksummed again. */
    static byte[] patchSuperblock(byte[] image, java.util.function.Consumer<ByteBuffer> edit) {
        byte[] out = image.clone();
        ByteBuffer le = ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        edit.accept(le);
        byte[] block0 = java.util.Arrays.copyOf(out, 4096);
        le.putInt(org.eratestbed.model.era.metadata.SuperblockDisk.OFF_CSUM, org.eratestbed.model.pdata.block.Checksum
                .blockChecksum(block0, org.eratestbed.model.pdata.block.BlockType.ERA_SUPERBLOCK));
        return out;
    }

    /** The running era target (the live table's). */
    org.eratestbed.model.era.target.EraTarget target() {
        return (org.eratestbed.model.era.target.EraTarget) dm.liveTarget();
    }

    /** Puts an image on a fresh metadata disk durably, as a base for the next machine. */
    static PageImage imageOf(byte[] bytes, long sectors) {
        SimDisk d = SimDisk.builder(sectors).recordLog(false).build();
        new SyncIo(d).write(0, bytes);
        new SyncIo(d).flush();
        return d.durableImage();
    }

    /** The power goes now: no actor runs again; every state the metadata medium may hold. */
    CrashSpace crash() {
        scheduler.crash();
        return metadata.crash();
    }

    /** Metadata blocks written (WRITE requests, as 4 KiB block numbers) from I/O number {@code fromSeq} on. */
    List<Long> metadataBlocksWrittenSince(int fromSeq) {
        List<Long> out = new ArrayList<>();
        var log = metadata.log();
        for (int i = fromSeq; i < log.size(); i++) {
            var r = log.get(i);
            if (r.op() == org.eratestbed.device.BioOp.WRITE) {
                out.add(r.sector() / 8);
            }
        }
        return out;
    }

    /** Number of metadata I/O requests so far (a mark for {@link #metadataBlocksWrittenSince}). */
    int metadataIoMark() {
        return metadata.log().size();
    }

    /** The era the INFO status line reports (its 6th field). */
    long era() {
        Outcome o = status();
        if (!o.ok()) {
            throw new IllegalStateException("status failed: " + o);
        }
        return Long.parseLong(((String) o.value()).split(" ")[5]);
    }

    List<String> trace() {
        return scheduler.trace();
    }

    @Override
    public void close() {
        if (!scheduler.crashed()) {
            scheduler.crash();
        }
    }
}
