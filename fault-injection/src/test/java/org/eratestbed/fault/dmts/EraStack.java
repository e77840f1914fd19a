package org.eratestbed.fault.dmts;

import java.io.StringWriter;
import java.util.List;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.TargetUnderTest.Result;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.EraDumper;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlParser;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.ScriptedPolicy;

/**
 * DMTS's {@code EraStack} (lib/dmtest/era_stack.rb) on the model: a metadata and an origin device, the era
 * target over them, and the helpers the era tests use — {@code checkpoint} returning the era from the status
 * line, {@code pause} (suspend + resume), dd-style writes, {@code dump_metadata}, {@code blocks_changed_since}
 * — plus the model's own readers of the metadata image. Every device operation runs as an actor of the
 * model's deterministic scheduler, as {@link ModelTarget} runs script commands.
 */
public final class EraStack implements AutoCloseable {
    /** DMTS's default block size, k(64) = 128 sectors. */
    public static final long DMTS_BLOCK_SIZE = 128;

    /** One parsed INFO status line. */
    public record Status(long mdBlockSectors, long used, long total, long era, String snap) {
        static Status parse(String line) {
            String[] w = line.trim().split("\\s+");
            if (w.length != 7 || !w[2].equals("era")) {
                throw new AssertionError("not an era status line: " + line);
            }
            String[] ut = w[4].split("/");
            return new Status(Long.parseLong(w[3]), Long.parseLong(ut[0]), Long.parseLong(ut[1]),
                    Long.parseLong(w[5]), w[6]);
        }
    }

    private final ModelTarget target;
    private final Command.Target table;

    /** Zeroed devices (DMTS's {@code :format => true}: the metadata's first 4 KiB wiped). */
    public EraStack(long blockSize, long originBlocks, long metadataMib) {
        this(blockSize, originBlocks, metadataMib, null);
    }

    /** The metadata device holds {@code image} (e.g. one era_restore wrote). */
    public EraStack(long blockSize, long originBlocks, long metadataMib, byte[] image) {
        this.table = new Command.Target(0, blockSize, originBlocks, metadataMib);
        this.target = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
        target.start(table, image);
    }

    public ModelTarget target() {
        return target;
    }

    public Command.Target table() {
        return table;
    }

    public MappedDevice era() {
        return target.device();
    }

    public long blockSize() {
        return table.blockSize();
    }

    public long originBlocks() {
        return table.originBlocks();
    }

    public String tableLine(long lengthSectors) {
        return "0 " + lengthSectors + " era " + ModelTarget.METADATA_PATH + " " + ModelTarget.ORIGIN_PATH + " "
                + table.blockSize();
    }

    // ---------------------------------------------------------------- activation

    /** dmsetup create with the stack's table (activate_top_level). */
    public void create() {
        done(target.create(), "create");
    }

    /** dmsetup remove. */
    public void remove() {
        done(target.remove(), "remove");
    }

    /** Runs {@code body} as an actor, as a dmsetup process would; a DmException is returned, not thrown. */
    public DmException dmsetup(String what, Runnable body) {
        DeterministicScheduler.Actor a = target.scheduler().call(what, () -> {
            try {
                body.run();
                return null;
            } catch (DmException e) {
                return e;
            }
        });
        if (!a.finished()) {
            throw new AssertionError(what + " blocked at " + a.at());
        }
        if (a.failure() != null) {
            throw new AssertionError(what + " threw", a.failure());
        }
        return (DmException) a.result();
    }

    /** Loads a table of {@code originBlocks} era blocks, then suspends and resumes: a resize. */
    public void reload(long originBlocks) {
        DmException e = dmsetup("reload", () -> {
            era().load(tableLine(originBlocks * table.blockSize()));
            era().suspend();
            era().resume();
        });
        if (e != null) {
            throw new AssertionError("reload to " + originBlocks + " blocks failed: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- commands

    public Result run(Command c) {
        return target.run(c);
    }

    private static void done(Result r, String what) {
        if (!(r instanceof Result.Done)) {
            throw new AssertionError(what + " did not complete: " + r);
        }
    }

    public void simple(Command.Kind kind) {
        done(run(new Command.Simple(0, kind)), kind.word());
    }

    public Status status() {
        Result r = run(new Command.Simple(0, Command.Kind.STATUS));
        if (!(r instanceof Result.Done d) || d.lines().size() != 1) {
            throw new AssertionError("status gave " + r);
        }
        return Status.parse(d.lines().get(0));
    }

    /** DMTS {@code EraStack#checkpoint}: send the message, return the era the status line then shows. */
    public long checkpoint() {
        simple(Command.Kind.CHECKPOINT);
        return status().era();
    }

    /** DMTS {@code pause}: suspend, then resume (which starts a new era). */
    public void pause() {
        simple(Command.Kind.SUSPEND);
        simple(Command.Kind.RESUME);
    }

    /** dd oflag=direct, one era block a bio, {@code count} blocks from {@code first}. */
    public void write(long first, long count) {
        done(run(new Command.Write(0, first, count)), "write " + first + " " + count);
    }

    /** DMTS {@code wipe_device}: the whole device written once. */
    public void wipe() {
        write(0, originBlocks());
    }

    // ---------------------------------------------------------------- data through era and on the origin

    /** A bio to the era device, waited for; returns its status. */
    public IoStatus submit(Bio bio) {
        DeterministicScheduler.Actor a = target.scheduler().call("dd", () -> {
            era().submit(bio);
            target.scheduler().await("dd I/O to complete", bio::completed);
            return bio.status();
        });
        if (!a.finished() || a.failure() != null) {
            throw new AssertionError("I/O " + bio + " did not complete: " + a, a.failure());
        }
        return (IoStatus) a.result();
    }

    public byte[] readEra(long sector, int sectors) {
        byte[] buf = new byte[sectors * BlockDevice.SECTOR_SIZE];
        IoStatus s = submit(Bio.read(sector, buf, null));
        if (s != IoStatus.OK) {
            throw new AssertionError("read of era sector " + sector + " failed: " + s);
        }
        return buf;
    }

    public void writeEra(long sector, byte[] data) {
        IoStatus s = submit(Bio.write(sector, data, false, null));
        if (s != IoStatus.OK) {
            throw new AssertionError("write to era sector " + sector + " failed: " + s);
        }
    }

    public SyncIo origin() {
        return new SyncIo(target.originDisk());
    }

    // ---------------------------------------------------------------- the metadata and the model's readers

    /** The metadata device as it is now on the medium. */
    public byte[] image() {
        return target.metadataImage();
    }

    public static String dumpXml(byte[] image, boolean logical, boolean metadataSnapshot) {
        StringWriter w = new StringWriter();
        EraDumper.dump(new ByteArrayBlockSource(image), logical, metadataSnapshot, new EraXmlWriter(w));
        return w.toString();
    }

    public static EraDump dump(byte[] image, boolean logical, boolean metadataSnapshot) {
        return EraXmlParser.parse(dumpXml(image, logical, metadataSnapshot));
    }

    /** The model's {@code invalidate --written-since n} (DMTS {@code blocks_changed_since}). */
    public static String invalidate(byte[] image, long n, boolean metadataSnapshot) {
        StringWriter w = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), n, metadataSnapshot, false,
                new InvalidateXml.RunWriter(w));
        return w.toString();
    }

    public static List<long[]> invalidateRuns(byte[] image, long n) {
        return InvalidateXml.parse(invalidate(image, n, false));
    }

    public static CheckReport check(byte[] image) {
        return EraCheck.check(new ByteArrayBlockSource(image));
    }

    @Override
    public void close() {
        target.close();
    }
}
