package org.eratestbed.fault.model;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.dm.StatusType;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.EraTarget;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ChoicePolicy;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;

/**
 * The model as a target under test: dm-era (a {@link MappedDevice} with the era target type) over two
 * {@link SimDisk}s, driven by the deterministic scheduler. Each script command runs as an actor, like the
 * dmsetup or dd process the kernel run uses; one that cannot finish when nothing else can happen is blocked,
 * and is reported late when a later command lets it finish.
 *
 * <p>The devices are named as in the kernel run ({@code /dev/nbd0} metadata, {@code /dev/nbd1} origin) so
 * that table lines, TABLE status and messages read the same.
 */
public final class ModelTarget implements TargetUnderTest {
    public static final String METADATA_PATH = "/dev/nbd0";
    public static final String ORIGIN_PATH = "/dev/nbd1";
    public static final String DEVICE = "era0";

    private final Predicate<Defect> live;
    private final ChoicePolicy policy;
    private final SimDisk.Completion completion;
    /** Null unless built by {@link #overDevices}: then the devices come from it, and no SimDisk is made. */
    private final java.util.function.Function<Command.Target, Devices> deviceFactory;
    private DeterministicScheduler scheduler;
    private SimDisk metadata;
    private SimDisk origin;
    private BlockDevice metadataDevice;
    private MappedDevice era;
    private String table;
    /** The metadata device's size in MiB, for {@link #lastLoaded}. */
    private long metadataMib;
    /** The live table's block size: what the user's I/O is cut in (a loaded table counts once it is live). */
    private long liveBlockSectors;
    /** Writes acknowledged so far: where a {@link TableLive} falls among them. */
    private long acked;
    private final List<TableLive> tablesLive = new ArrayList<>();
    /** For each table a reload constructed, how many writes had been acknowledged when its ctr opened the metadata. */
    private final List<Long> loads = new ArrayList<>();
    private final KernelLog log = new KernelLog();
    private final Vmalloc vmalloc = new Vmalloc();
    private final List<Pending> blocked = new ArrayList<>();
    private long writeSeq;
    private boolean oopsReported;
    /** A regular file a tool left at /dev/mapper/era0 while the device was gone (see missingNode). */
    private boolean strayFile;

    private record Pending(int line, String command, DeterministicScheduler.Actor actor, int logMark) {
    }

    /** A write the device acknowledged: its era block, and the era current when it was issued and when it completed. */
    public record WriteAck(long block, long seq, int issueEra, int ackEra) {
    }

    /**
     * A table that went live: swapped in by a resume (or a create), so its preresume resized the metadata to
     * {@code nrBlocks}. {@code afterAcks} writes had been acknowledged before it, in the order the listener of
     * {@link #onWriteAck} saw them; every later acknowledgement came after it. A resume that swaps a table
     * reports it twice, the table in the inactive slot as the resume starts and the one live when it returns
     * (the same one unless a reload raced the resume): a lenient account, never a missing one.
     */
    public record TableLive(long afterAcks, long blockSize, long nrBlocks) {
    }

    private java.util.function.Consumer<WriteAck> writeAcks = a -> { };
    private java.util.function.Consumer<UserIo> userIo = e -> { };
    private long otherIoSeq;
    private FaultPlan metadataFaults = FaultPlan.NONE;
    private FaultPlan originFaults = FaultPlan.NONE;

    /**
     * Called for every write, discard and flush the user submits to the era device and for its completion, in
     * the order they happen (the deterministic scheduler runs one thing at a time).
     */
    public void onUserIo(java.util.function.Consumer<UserIo> listener) {
        this.userIo = listener;
    }

    @Override
    public void deviceFaults(FaultPlan metadata, FaultPlan origin) {
        faults(metadata, origin);
    }

    /** The fault plans the disks that {@link #start} and {@link #startOn} build get (before either is called). */
    public ModelTarget faults(FaultPlan metadata, FaultPlan origin) {
        this.metadataFaults = metadata;
        this.originFaults = origin;
        return this;
    }

    /** Called, on whichever thread completes the bio, for every write the era device acknowledges OK. */
    public void onWriteAck(java.util.function.Consumer<WriteAck> listener) {
        this.writeAcks = listener;
    }

    /** The live target's in-core era, or -1 when there is no live era target. */
    public int currentEra() {
        return era != null && era.liveTarget() instanceof EraTarget t ? t.currentEra() : -1;
    }

    public ModelTarget(Variant variant, ChoicePolicy policy, SimDisk.Completion completion) {
        this(variant::has, policy, completion);
    }

    /** @param live the defects whose code paths run (a variant, or a variant with one defect switched off) */
    public ModelTarget(Predicate<Defect> live, ChoicePolicy policy, SimDisk.Completion completion) {
        this(live, policy, completion, null);
    }

    private ModelTarget(Predicate<Defect> live, ChoicePolicy policy, SimDisk.Completion completion,
                        java.util.function.Function<Command.Target, Devices> deviceFactory) {
        this.live = live;
        this.policy = policy;
        this.completion = completion;
        this.deviceFactory = deviceFactory;
    }

    /** The metadata and origin devices the era target runs over. */
    public record Devices(BlockDevice metadata, BlockDevice origin) {
    }

    /**
     * The model over devices the caller provides for each script's table (e.g. NBD exports), instead of SimDisks it
     * makes. They must complete inside {@code submit} (an IMMEDIATE SimDisk, or an NBD device behind
     * {@code SynchronousDevice}): the deterministic scheduler drives no other completion. The metadata device must
     * be exactly {@code metadata_mib} MiB (status lines count its blocks), the origin at least the table's length.
     * {@link #metadataDisk()} and {@link #originDisk()} are null on such a target; the caller owns and closes the
     * devices.
     */
    public static ModelTarget overDevices(Predicate<Defect> live, ChoicePolicy policy,
                                          java.util.function.Function<Command.Target, Devices> devices) {
        return new ModelTarget(live, policy, SimDisk.Completion.IMMEDIATE, java.util.Objects.requireNonNull(devices));
    }

    @Override
    public void start(Command.Target target, byte[] metadataImage) {
        start(target, target.lengthSectors(), metadataImage);
    }

    /** As {@link #start(Command.Target, byte[])}, with an origin of {@code originSectors} for a script's reloads. */
    @Override
    public void start(Command.Target target, long originSectors, byte[] metadataImage) {
        long metadataSectors = target.metadataMib() << 11;
        if (deviceFactory != null) {
            Devices d = deviceFactory.apply(target);
            if (d.metadata().sizeSectors() != metadataSectors) {
                throw new BadInputException("metadata device " + d.metadata().name() + " has " + d.metadata().sizeSectors()
                        + " sectors, the script's metadata_mib=" + target.metadataMib() + " needs " + metadataSectors);
            }
            long needed = Math.max(originSectors, target.lengthSectors());
            if (d.origin().sizeSectors() < needed) {
                throw new BadInputException("origin device " + d.origin().name() + " has " + d.origin().sizeSectors()
                        + " sectors, the script's tables need " + needed);
            }
            if (metadataImage != null) {
                loadImage(d.metadata(), metadataImage, target.metadataMib());
            }
            wire(target, null, d.metadata(), null, d.origin());
            return;
        }
        SimDisk md = SimDisk.builder(metadataSectors).name("metadata").completion(completion).faults(metadataFaults)
                .build();
        if (metadataImage != null) {
            loadImage(md, metadataImage, target.metadataMib());
        }
        startOn(target, md, SimDisk.builder(Math.max(originSectors(target), originSectors)).name("origin")
                .completion(completion).faults(originFaults).build());
    }

    /** Sets up the target over a given metadata disk (e.g. a crash state's), with a fresh zeroed origin. */
    public void startOn(Command.Target target, SimDisk metadataDisk) {
        startOn(target, metadataDisk, SimDisk.builder(originSectors(target)).name("origin").completion(completion)
                .faults(originFaults).build());
    }

    /** The origin device's size for a target line: its length, at least one page. */
    public static long originSectors(Command.Target target) {
        return Math.max(8, target.lengthSectors());
    }

    /** Sets up the target over given metadata and origin disks (e.g. the crash states of both). */
    public void startOn(Command.Target target, SimDisk metadataDisk, SimDisk originDisk) {
        wire(target, metadataDisk, metadataDisk, originDisk, originDisk);
    }

    /** Builds the scheduler, the device registry and the era device over the given metadata and origin devices. */
    private void wire(Command.Target target, SimDisk metadataDisk, BlockDevice metadataDev, SimDisk originDisk,
                      BlockDevice originDev) {
        scheduler = new DeterministicScheduler(policy);
        metadata = metadataDisk;
        metadataDevice = metadataDev;
        origin = originDisk;
        if (metadata != null) {
            addEventSource(metadata);
        }
        if (origin != null) {
            addEventSource(origin);
        }
        DeviceRegistry devices = new DeviceRegistry();
        devices.add(METADATA_PATH, "43:0", metadataDev);
        devices.add(ORIGIN_PATH, "43:32", originDev);
        IoWait ioWait = IoWait.through(scheduler);
        // The guest's device-mapper major is 254 (Debian's kernel): ctr and preresume errors name the device by it.
        era = new MappedDevice(DEVICE, "254:0", scheduler, devices, log,
                Map.of("era", new EraTargetType(scheduler, live, ioWait, vmalloc)));
        table = "0 " + target.lengthSectors() + " era " + METADATA_PATH + " " + ORIGIN_PATH + " " + target.blockSize();
        metadataMib = target.metadataMib();
        liveBlockSectors = target.blockSize();
    }

    /** Puts an existing image on the metadata device, durably, before anything runs. */
    private static void loadImage(BlockDevice disk, byte[] image, long mib) {
        if (image.length > disk.sizeSectors() * BlockDevice.SECTOR_SIZE) {
            throw new BadInputException("metadata image of " + image.length + " bytes is larger than the " + mib
                    + " MiB metadata device");
        }
        if (image.length % BlockDevice.SECTOR_SIZE != 0) {
            throw new BadInputException("metadata image of " + image.length + " bytes is not a whole number of sectors");
        }
        SyncIo io = new SyncIo(disk);
        int chunk = 1 << 20;
        for (int off = 0; off < image.length; off += chunk) {
            int len = Math.min(chunk, image.length - off);
            byte[] part = java.util.Arrays.copyOfRange(image, off, off + len);
            if (!allZero(part)) {
                io.write(off / BlockDevice.SECTOR_SIZE, part);
            }
        }
        io.flush();
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] toBytes(PageImage image) {
        byte[] out = new byte[(int) (image.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        image.read(0, out, 0, (int) image.sizeSectors());
        return out;
    }

    private void addEventSource(SimDisk disk) {
        if (disk.completion() == SimDisk.Completion.QUEUED) {
            scheduler.addEventSource(new SimDiskEvents(disk));
        }
    }

    @Override
    public Result remove() {
        return run(0, "remove", () -> {
            era.remove();
            return done();
        });
    }

    @Override
    public Result create() {
        return run(0, "create", () -> {
            era.create(table);
            return done();
        });
    }

    @Override
    public Result run(Command c) {
        return run(c.line(), c.text(), () -> execute(c));
    }

    /**
     * Starts a command as an actor without running anything: the caller's scheduler policy decides when it
     * runs, so several commands can be in flight at once (a campaign's concurrent schedule).
     */
    public DeterministicScheduler.Actor begin(Command c) {
        int mark = log.mark();
        return scheduler.start(c.text(), () -> {
            try {
                return execute(c);
            } catch (DmException e) {
                return failed(c.text(), e, mark);
            }
        });
    }

    /** What a finished actor of {@link #begin} gave. */
    public Result resultOf(DeterministicScheduler.Actor a) {
        if (a.failure() != null) {
            Throwable t = a.failure();
            return new Result.Failed(List.of("kernel: BUG: " + t.getClass().getSimpleName() + ": " + t.getMessage()));
        }
        return (Result) a.result();
    }

    private Result run(int line, String text, java.util.function.Supplier<Result> body) {
        int mark = log.mark();
        // Until the command finishes and then on to quiescence is one run to quiescence, choice for choice (a
        // run stops only before a choice): one run lets the command's actor hand the token straight on when it
        // ends instead of back to this thread and out again.
        DeterministicScheduler.Actor a = scheduler.start(text, () -> {
            try {
                return body.get();
            } catch (DmException e) {
                return failed(text, e, mark);
            }
        });
        scheduler.runToQuiescence();
        if (a.finished()) {
            return resultOf(a);
        }
        if (scheduler.failure() != null && !oopsReported) {
            // Another actor (the worker) hit a model exception: the kernel would have oopsed there, and this
            // command hangs behind it. Say so once; later commands just block.
            oopsReported = true;
            Throwable t = scheduler.failure();
            return new Result.Failed(List.of("kernel: BUG in " + scheduler.failedActor() + ": "
                    + t.getClass().getSimpleName() + ": " + t.getMessage()));
        }
        blocked.add(new Pending(line, text, a, mark));
        return new Result.Blocked();
    }

    private Result execute(Command c) {
        if (c instanceof Command.Write w) {
            return write(w);
        }
        if (c instanceof Command.Discard d) {
            long bs = blockSectors();
            long seq = ++otherIoSeq;
            userIo.accept(new UserIo(UserIo.Op.DISCARD, UserIo.Phase.SUBMIT, seq, d.first(), d.count(), false));
            return io(Bio.discard(d.first() * bs, (int) (d.count() * bs), bio -> userIo.accept(new UserIo(
                    UserIo.Op.DISCARD, UserIo.Phase.COMPLETE, seq, d.first(), d.count(), bio.status() == IoStatus.OK))),
                    "blkdiscard");
        }
        if (c instanceof Command.Invalidate inv) {
            return invalidate(inv);
        }
        if (c instanceof Command.Reload l) {
            return reload(l);
        }
        Command.Simple s = (Command.Simple) c;
        switch (s.kind()) {
            case FLUSH: {
                long seq = ++otherIoSeq;
                userIo.accept(new UserIo(UserIo.Op.FLUSH, UserIo.Phase.SUBMIT, seq, 0, 0, false));
                return io(Bio.flush(bio -> userIo.accept(new UserIo(UserIo.Op.FLUSH, UserIo.Phase.COMPLETE, seq, 0, 0,
                        bio.status() == IoStatus.OK))), "sync");
            }
            case CHECKPOINT:
            case TAKE_METADATA_SNAP:
            case DROP_METADATA_SNAP:
                era.message(s.kind().word());
                return done();
            case SUSPEND:
                era.suspend();
                return done();
            case RESUME: {
                if (era.hasInactiveTable()) {
                    // the inactive slot holds the last table loaded (every load replaces it)
                    tableLive(table);
                }
                Object before = era.liveTarget();
                era.resume();
                if (era.liveTarget() != before) {
                    String live = liveTable();
                    tableLive(live);
                    liveBlockSectors = blockSizeOf(live);
                }
                return done();
            }
            case STATUS:
                return new Result.Done(List.of(era.status(StatusType.INFO)));
            case REMOVE:
                era.remove();
                return done();
            case CREATE:
                // the kernel target clears a stray file before it creates the device again
                strayFile = false;
                tableLive(table);
                era.create(table);
                liveBlockSectors = blockSizeOf(table);
                return done();
            case CRASH:
                return done();
            default:
                throw new IllegalStateException("unhandled " + s.kind());
        }
    }

    /**
     * dmsetup reload: the new table's constructor runs now, into the inactive slot; it goes live at the next
     * resume, whose preresume resizes the metadata. A later create uses it too, as it is now the script's table.
     */
    private Result reload(Command.Reload l) {
        if (era.removed()) {
            // table_load looks the device up first
            throw new DmException(Errno.ENXIO, "device " + DEVICE + " does not exist");
        }
        long blockSize = l.blockSizeOr(blockSizeOf(table));
        String line = "0 " + l.originBlocks() * blockSize + " era " + METADATA_PATH + " " + ORIGIN_PATH + " " + blockSize;
        long before = acked;
        era.load(line);
        table = line;
        loads.add(before);
        return done();
    }

    /** Notes that the table {@code line} goes live now (see {@link TableLive}). */
    private void tableLive(String line) {
        long bs = blockSizeOf(line);
        long len = Long.parseLong(line.split(" ")[1]);
        tablesLive.add(new TableLive(acked, bs, bs == 0 ? 0 : (len + bs - 1) / bs));
    }

    /** The live table's line, rebuilt from its length and the block size its TABLE status shows. */
    private String liveTable() {
        String status = era.status(StatusType.TABLE);
        long bs = Long.parseLong(status.substring(status.lastIndexOf(' ') + 1));
        return "0 " + era.sizeSectors() + " era " + METADATA_PATH + " " + ORIGIN_PATH + " " + bs;
    }

    /**
     * For each table a reload constructed, in order, how many writes had been acknowledged when its constructor
     * began to read the metadata: a write acknowledged later is one its metadata object was opened without.
     */
    public List<Long> loads() {
        return List.copyOf(loads);
    }

    /** Every table that went live since {@link #start}, in order (see {@link TableLive}). */
    public List<TableLive> tablesLive() {
        return List.copyOf(tablesLive);
    }

    /**
     * The last table a load accepted (the script's target line if none did) as a target line: what a user
     * recreates the device with after a crash, whether or not a resume had made it live.
     */
    public Command.Target lastLoaded() {
        long bs = blockSizeOf(table);
        long len = Long.parseLong(table.split(" ")[1]);
        return new Command.Target(1, bs, bs == 0 ? 0 : (len + bs - 1) / bs, metadataMib);
    }

    private long blockSectors() {
        return liveBlockSectors;
    }

    private static long blockSizeOf(String line) {
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** One O_DIRECT write per era block, each waited for before the next (dd with oflag=direct). */
    private Result write(Command.Write w) {
        int mark = log.mark();
        long bs = blockSectors();
        if (era.removed()) {
            // dd cannot open the device, so it reports no records
            return missingNode(BioOp.WRITE, "dd");
        }
        if (era.liveTarget() != null && w.first() * bs > era.sizeSectors()) {
            // dd seeks to the first block before it writes: a block device's lseek past its end is EINVAL, and
            // dd stops there (as after a reload to a smaller table, or before a bigger one is live).
            return new Result.Failed(List.of("dd: /dev/mapper/" + DEVICE + ": Invalid argument"));
        }
        for (long b = w.first(); b < w.first() + w.count(); b++) {
            long seq = ++writeSeq;
            long block = b;
            int issueEra = currentEra();
            byte[] data = OriginStamp.data(b, seq, issueEra, (int) bs);
            userIo.accept(new UserIo(UserIo.Op.WRITE, UserIo.Phase.SUBMIT, seq, b, 1, false));
            Result r = io(Bio.write(b * bs, data, false, bio -> {
                userIo.accept(new UserIo(UserIo.Op.WRITE, UserIo.Phase.COMPLETE, seq, block, 1,
                        bio.status() == IoStatus.OK));
                if (bio.status() == IoStatus.OK) {
                    acked++;
                    writeAcks.accept(new WriteAck(block, seq, issueEra, currentEra()));
                }
            }), "dd");
            if (r instanceof Result.Failed f) {
                // dd (bs = one era block) reports the blocks it read and wrote before giving up
                long written = b - w.first();
                List<String> lines = new ArrayList<>(f.lines());
                lines.add((written + 1) + "+0 records in");
                lines.add(written + "+0 records out");
                // what the kernel logged meanwhile (a failed commit says why), as the kernel target shows it
                for (String k : log.since(mark)) {
                    lines.add("kernel: " + k);
                }
                return new Result.Failed(lines);
            }
            if (!(r instanceof Result.Done)) {
                return r;
            }
        }
        return done();
    }

    /**
     * Reads era blocks [first, first + count) through the era device in one O_DIRECT read (dd with a block size
     * of the whole range; dm core splits it at the target's max_io_len, one era block, as the kernel does); null
     * when the read fails (the target is gone or the origin returns an error).
     */
    public byte[] read(long first, long count) {
        long bs = blockSectors();
        byte[] out = new byte[Math.toIntExact(count * bs * BlockDevice.SECTOR_SIZE)];
        Result r = run(0, "read", () -> io(Bio.read(first * bs, out, null), "dd"));
        return r instanceof Result.Done ? out : null;
    }

    private Result io(Bio bio, String tool) {
        if (era.removed()) {
            return missingNode(bio.op(), tool);
        }
        try {
            era.submit(bio);
        } catch (BadInputException e) {
            return new Result.Failed(List.of(tool + ": error writing '/dev/mapper/" + DEVICE + "': No space left on device"));
        }
        scheduler.await(tool + " I/O to complete", bio::completed);
        if (bio.status() != IoStatus.OK) {
            // busybox dd's words, as the kernel guest prints them for a failed O_DIRECT write
            String what = !tool.equals("dd") ? "error on" : bio.op() == BioOp.READ ? "error reading" : "error writing";
            return new Result.Failed(List.of(tool + ": " + what + " '/dev/mapper/" + DEVICE + "': Input/output error"));
        }
        return done();
    }

    /**
     * I/O to a removed device meets no device node: libdevmapper (no udev in the guest) removed
     * /dev/mapper/era0, so dd's open with O_CREAT makes a regular file there on devtmpfs instead (which then
     * refuses O_DIRECT with EINVAL), and later tools find that file. What the Debian guest prints, step by step.
     */
    private Result missingNode(BioOp op, String tool) {
        String node = "/dev/mapper/" + DEVICE;
        switch (tool) {
            case "dd": {
                String why = op == BioOp.READ && !strayFile ? "No such file or directory" : "Invalid argument";
                strayFile |= op != BioOp.READ;
                return new Result.Failed(List.of("dd: can't open '" + node + "': " + why));
            }
            case "sync":
                // dd conv=fsync without O_DIRECT: it writes the regular file and succeeds
                strayFile = true;
                return done();
            default:
                return new Result.Failed(List.of(strayFile
                        ? tool + ": " + node + ": BLKDISCARD failed: Inappropriate ioctl for device"
                        : tool + ": can't open '" + node + "': No such file or directory"));
        }
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

    private static Result done() {
        return new Result.Done(List.of());
    }

    private Result failed(String text, DmException e, int mark) {
        if (e.errno() == Errno.ENXIO && text.startsWith("status")) {
            // dmsetup status of a missing device says so in these words; messages, reload and remove name their
            // ioctl ("No such device or address"), as the kernel runs show
            return new Result.Failed(List.of("Device does not exist.", "Command failed."));
        }
        String ioctl = e.ioctl() != null ? e.ioctl() : switch (text.split(" ")[0]) {
            case "checkpoint", "take_metadata_snap", "drop_metadata_snap" -> "message";
            case "create" -> "reload";
            default -> text.split(" ")[0];
        };
        List<String> lines = new ArrayList<>();
        lines.add("device-mapper: " + ioctl + " ioctl on " + DEVICE + "  failed: " + e.strerror());
        lines.add("Command failed.");
        for (String k : log.since(mark)) {
            lines.add("kernel: " + k);
        }
        return new Result.Failed(lines);
    }

    @Override
    public List<Late> late() {
        List<Late> out = new ArrayList<>();
        for (Pending p : List.copyOf(blocked)) {
            if (p.actor().finished()) {
                blocked.remove(p);
                out.add(new Late(p.line(), p.command(), resultOf(p.actor())));
            }
        }
        return out;
    }

    /** The metadata device as its medium holds it now: every completed write, flushed or not. */
    @Override
    public byte[] metadataImage() {
        if (metadata == null) {
            // A device the caller gave (e.g. over NBD): read it whole, as era_invalidate would.
            byte[] out = new byte[(int) (metadataDevice.sizeSectors() * BlockDevice.SECTOR_SIZE)];
            int chunk = 1 << 20;
            SyncIo io = new SyncIo(metadataDevice);
            for (int off = 0; off < out.length; off += chunk) {
                byte[] part = new byte[Math.min(chunk, out.length - off)];
                io.read(off / BlockDevice.SECTOR_SIZE, part);
                System.arraycopy(part, 0, out, off, part.length);
            }
            return out;
        }
        return toBytes(metadata.image());
    }

    /** The metadata SimDisk, or null on a target {@link #overDevices over given devices}. */
    public SimDisk metadataDisk() {
        return metadata;
    }

    /** The origin SimDisk, or null on a target {@link #overDevices over given devices}. */
    public SimDisk originDisk() {
        return origin;
    }

    public MappedDevice device() {
        return era;
    }

    public DeterministicScheduler scheduler() {
        return scheduler;
    }

    public Vmalloc vmalloc() {
        return vmalloc;
    }

    @Override
    public void close() {
        scheduler.crash();
    }
}
