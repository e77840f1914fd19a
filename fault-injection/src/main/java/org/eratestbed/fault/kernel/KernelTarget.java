package org.eratestbed.fault.kernel;

import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;

/**
 * The real kernel's dm-era as a target under test: Debian's kernel in a QEMU guest, the era device
 * {@code era0} over {@code /dev/nbd0} (metadata) and {@code /dev/nbd1} (origin), both exported from this
 * host. Commands run as a shell runs them (dmsetup, dd with O_DIRECT, blkdiscard, sync), so the outputs read
 * as in the reference runs. {@code invalidate} reads the metadata export on the host with the model's reader,
 * so both targets are judged by the same code.
 *
 * <p>One guest boot serves many scripts: {@link #start} tears down the previous script's devices, or boots a
 * new guest when the previous one crashed or is stuck. Close it to stop QEMU and the NBD server.
 */
public final class KernelTarget implements TargetUnderTest {
    public static final String METADATA_DEV = "/dev/nbd0";
    public static final String ORIGIN_DEV = "/dev/nbd1";
    public static final String DEVICE = "era0";
    private static final String MAPPED = "/dev/mapper/" + DEVICE;
    /** QEMU user networking's address of the host's loopback. */
    private static final String HOST = "10.0.2.2";
    /**
     * A dmsetup call ends in about 0.1 s under TCG; one still running after this is taken as blocked (the
     * kernel parks it until a resume). Every blocked command costs this much wall time.
     */
    private static final Duration DMSETUP_WAIT = Duration.ofSeconds(2);
    /** How long a blocked command is given to end, each time the target is asked for late results. */
    private static final Duration LATE_WAIT = Duration.ofMillis(500);
    /**
     * After a resume that returned, the commands the suspend parked must end: the model reports them as
     * returning during the resume's line, so the kernel gets as long as a slow TCG guest needs to do the same.
     * Only the first poll after the resume waits this long; a command still blocked then is a real hang.
     */
    private static final Duration AFTER_RESUME_WAIT = Duration.ofSeconds(15);
    private static final Duration SETUP_WAIT = Duration.ofSeconds(30);

    private final KernelSetup.GuestImage image;
    private final KernelGuest.Accel accel;
    private final NbdExports exports;
    private final Duration bootTimeout;
    private KernelGuest guest;
    private final List<Pending> blocked = new ArrayList<>();
    private boolean resumed;
    private final List<Duration> bootTimes = new ArrayList<>();
    private int scripts;
    private String metadataExport;
    private String originExport;
    private long blockSectors;
    private String table;
    private boolean devicesUp;

    private record Pending(int line, String command, int id) {
    }

    /** A target over {@link SimDiskExports} (every kernel I/O recorded), on the accelerator the probe chooses. */
    public KernelTarget(KernelSetup.GuestImage image) {
        this(image, AccelProbe.detect(image).accel(), new SimDiskExports());
    }

    /** @param exports the NBD server; closed with this target */
    public KernelTarget(KernelSetup.GuestImage image, KernelGuest.Accel accel, NbdExports exports) {
        this.image = image;
        this.accel = accel;
        this.exports = exports;
        this.bootTimeout = Duration.ofSeconds(accel == KernelGuest.Accel.KVM ? 60 : 180);
    }

    /** The boot times of every guest this target started, in order. */
    public List<Duration> bootTimes() {
        return List.copyOf(bootTimes);
    }

    public KernelGuest.Accel accel() {
        return accel;
    }

    /** The export names of the current script's devices (metadata, origin), for reading them on the host. */
    public NbdExports exports() {
        return exports;
    }

    public String metadataExport() {
        return metadataExport;
    }

    /**
     * The current script's metadata disk with its I/O log (every write, flush and FUA the kernel sent); only
     * over {@link SimDiskExports}.
     */
    public org.eratestbed.device.sim.SimDisk metadataDisk() {
        return simDisks().disk(metadataExport);
    }

    /** The current script's origin disk with its I/O log; only over {@link SimDiskExports}. */
    public org.eratestbed.device.sim.SimDisk originDisk() {
        return simDisks().disk(originExport);
    }

    /** Only over {@link SimDiskExports}: the next script's exports inject these faults. */
    @Override
    public void deviceFaults(org.eratestbed.device.fault.FaultPlan metadata, org.eratestbed.device.fault.FaultPlan origin) {
        if (metadata.isEmpty() && origin.isEmpty() && !(exports instanceof SimDiskExports)) {
            return;
        }
        simDisks().faults(metadata, origin);
    }

    private SimDiskExports simDisks() {
        if (exports instanceof SimDiskExports s) {
            return s;
        }
        throw new IllegalStateException("the exports are not SimDisks: " + exports.getClass().getSimpleName());
    }

    @Override
    public void start(Command.Target target, byte[] metadataImage) {
        start(target, target.lengthSectors(), metadataImage);
    }

    /**
     * As {@link #start(Command.Target, byte[])}, with an origin export of {@code originSectors}: dm core refuses a
     * table longer than its device ("too small for target"), so a script that reloads to a bigger table needs the
     * origin that big from the start (the exports are sparse).
     */
    @Override
    public void start(Command.Target target, long originSectors, byte[] metadataImage) {
        long mdBytes = target.metadataMib() << 20;
        if (metadataImage != null && metadataImage.length > mdBytes) {
            throw new org.eratestbed.device.BadInputException("metadata image of " + metadataImage.length
                    + " bytes is larger than the " + target.metadataMib() + " MiB metadata device");
        }
        ensureCleanGuest();
        if (metadataExport != null) {
            exports.delete(metadataExport);
            exports.delete(originExport);
        }
        scripts++;
        metadataExport = "s" + scripts + "-metadata.img";
        originExport = "s" + scripts + "-origin.img";
        exports.create(metadataExport, mdBytes, metadataImage);
        exports.create(originExport, Math.max(originSectors, target.lengthSectors()) * BlockDevice.SECTOR_SIZE, null);
        blockSectors = target.blockSize();
        table = "0 " + target.lengthSectors() + " era " + METADATA_DEV + " " + ORIGIN_DEV + " " + target.blockSize();
        KernelGuest.Reply r = guest.run(connect(metadataExport, METADATA_DEV) + " && "
                + connect(originExport, ORIGIN_DEV), SETUP_WAIT);
        if (!r.ok()) {
            throw new KernelException("the guest could not attach the NBD exports: " + String.join(" ", r.err()));
        }
        devicesUp = true;
    }

    private String connect(String export, String dev) {
        return "nbd-client -N " + export + " " + HOST + " " + exports.port() + " " + dev;
    }

    /** A guest with no era device and no NBD device attached: the running one torn down, or a new boot. */
    private void ensureCleanGuest() {
        if (guest != null && guest.alive() && (devicesUp || !blocked.isEmpty())) {
            boolean clean = blocked.isEmpty();
            if (clean) {
                KernelGuest.Reply r = guest.run("dmsetup remove_all --force >/dev/null 2>&1; nbd-client -d "
                        + METADATA_DEV + " >/dev/null 2>&1; nbd-client -d " + ORIGIN_DEV + " >/dev/null 2>&1; true",
                        SETUP_WAIT);
                clean = r.ok();
            }
            if (!clean) {
                // Something still hangs in the kernel: only a new boot gives the next script a clean guest.
                guest.kill();
            }
            blocked.clear();
            devicesUp = false;
        }
        if (guest == null || !guest.alive()) {
            blocked.clear();
            devicesUp = false;
            guest = KernelGuest.boot(image, accel, bootTimeout);
            bootTimes.add(guest.bootTime());
        }
    }

    @Override
    public Result create() {
        return createDevice(0, "create");
    }

    @Override
    public Result remove() {
        return dmsetup(0, "remove", "remove " + DEVICE);
    }

    @Override
    public Result run(Command c) {
        if (c instanceof Command.Write w) {
            long bytes = blockSectors * BlockDevice.SECTOR_SIZE;
            // One O_DIRECT write of one era block at a time, as the reference runs did.
            return shell(c.line(), c.text(), "dd if=/dev/zero of=" + MAPPED + " bs=" + bytes + " seek=" + w.first()
                    + " count=" + w.count() + " oflag=direct", ioWait(w.count()));
        }
        if (c instanceof Command.Discard d) {
            long bytes = blockSectors * BlockDevice.SECTOR_SIZE;
            return shell(c.line(), c.text(), "blkdiscard -o " + d.first() * bytes + " -l " + d.count() * bytes + " "
                    + MAPPED, ioWait(d.count()));
        }
        if (c instanceof Command.Invalidate inv) {
            return invalidate(inv);
        }
        if (c instanceof Command.Reload l) {
            return reload(l);
        }
        Command.Simple s = (Command.Simple) c;
        return switch (s.kind()) {
            // sync, then an empty write opened and fsync'ed: the block layer sends the era device a flush.
            case FLUSH -> shell(c.line(), c.text(), "sync && dd if=/dev/null of=" + MAPPED + " conv=notrunc,fsync",
                    ioWait(1));
            case CHECKPOINT, TAKE_METADATA_SNAP, DROP_METADATA_SNAP ->
                    dmsetup(c.line(), c.text(), "message " + DEVICE + " 0 " + s.kind().word());
            case SUSPEND -> dmsetup(c.line(), c.text(), "suspend " + DEVICE);
            case RESUME -> {
                Result r = dmsetup(c.line(), c.text(), "resume " + DEVICE);
                resumed = r instanceof Result.Done;
                yield r;
            }
            case STATUS -> dmsetup(c.line(), c.text(), "status " + DEVICE);
            case REMOVE -> dmsetup(c.line(), c.text(), "remove " + DEVICE);
            case CREATE -> createDevice(c.line(), c.text());
            case CRASH -> crash();
            default -> throw new IllegalStateException("unhandled " + s.kind());
        };
    }

    /** dmsetup reload: the new table is constructed now and goes live at the next resume; create uses it from now. */
    private Result reload(Command.Reload l) {
        long blockSize = l.blockSizeOr(blockSectors);
        String line = "0 " + l.originBlocks() * blockSize + " era " + METADATA_DEV + " " + ORIGIN_DEV + " " + blockSize;
        Result r = dmsetup(l.line(), l.text(), "reload " + DEVICE + " --table '" + line + "'");
        if (r instanceof Result.Done) {
            table = line;
            blockSectors = blockSize;
        }
        return r;
    }

    private static Duration ioWait(long blocks) {
        // An O_DIRECT write of an era block takes a few milliseconds here; a large margin, since an I/O that
        // is reported blocked when it was only slow would be a false difference.
        return Duration.ofSeconds(3).plusMillis(100 * blocks);
    }

    /**
     * dmsetup create, after removing a regular file that a write to the removed device left at the node's
     * path (dd's O_CREAT on devtmpfs): libdevmapper would refuse to make the node over it, and the next dd
     * would write into that file instead of the device.
     */
    private Result createDevice(int line, String text) {
        return shell(line, text, "{ [ -b " + MAPPED + " ] || rm -f " + MAPPED + "; } && dmsetup create " + DEVICE
                + " --table '" + table + "'", DMSETUP_WAIT);
    }

    private Result dmsetup(int line, String text, String args) {
        return shell(line, text, "dmsetup " + args, DMSETUP_WAIT);
    }

    private Result shell(int line, String text, String command, Duration wait) {
        KernelGuest.Reply r = guest.run(command, wait);
        if (r.blocked()) {
            blocked.add(new Pending(line, text, r.id()));
            return new Result.Blocked();
        }
        return result(r);
    }

    /**
     * Done with its stdout (dmsetup status prints the status line there), or Failed with its stderr and the
     * device-mapper lines the kernel logged meanwhile, as {@code kernel: …}.
     */
    private static Result result(KernelGuest.Reply r) {
        if (r.exitCode() == 0) {
            return new Result.Done(List.copyOf(r.out()));
        }
        List<String> lines = new ArrayList<>(r.err());
        for (String k : r.kernel()) {
            if (k.startsWith("device-mapper:") || k.contains("BUG") || k.contains("WARNING")) {
                lines.add("kernel: " + k);
            }
        }
        if (lines.isEmpty()) {
            lines.add("exit code " + r.exitCode());
        }
        return new Result.Failed(lines);
    }

    /** A power cut: QEMU is killed at once; what the NBD server has is all the devices keep. */
    private Result crash() {
        guest.kill();
        blocked.clear();
        devicesUp = false;
        return new Result.Done(List.of());
    }

    private Result invalidate(Command.Invalidate inv) {
        StringWriter out = new StringWriter();
        try {
            EraInvalidate.invalidate(new ByteArrayBlockSource(metadataImage()), inv.era(), inv.snapshot(), false,
                    new InvalidateXml.RunWriter(out));
        } catch (RuntimeException e) {
            return new Result.Failed(List.of("era_invalidate: " + e.getMessage()));
        }
        return new Result.Xml(out.toString());
    }

    @Override
    public List<Late> late() {
        List<Late> out = new ArrayList<>();
        if (guest == null || !guest.alive()) {
            return out;
        }
        Duration wait = resumed ? AFTER_RESUME_WAIT : LATE_WAIT;
        resumed = false;
        for (Pending p : List.copyOf(blocked)) {
            KernelGuest.Reply r = guest.poll(p.id(), wait);
            if (!r.blocked()) {
                blocked.remove(p);
                out.add(new Late(p.line(), p.command(), result(r)));
            }
        }
        return out;
    }

    /** The metadata export's content now: what the kernel has written to it (after remove, or as a crash left it). */
    @Override
    public byte[] metadataImage() {
        return exports.read(metadataExport);
    }

    @Override
    public void close() {
        try {
            if (guest != null) {
                guest.close();
            }
        } finally {
            exports.close();
        }
    }
}
