package org.eratestbed.stress.rig;

import java.io.StringWriter;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.EraTarget;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.kernel.ThreadScheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;

/**
 * One whole dm-era target of the model on real threads — device-mapper core ({@link MappedDevice}), the
 * target's map, its worker on its own thread (or hosted by the caller's threads: {@link HostedWorkScheduler}),
 * RPCs, metadata on a {@link SimDisk} — with probes on both devices. Small (8 origin blocks, 256 metadata
 * blocks) so that jcstress can build one per sample.
 *
 * <p>Users' requests are made as a user makes them: {@link #write} submits a bio to the mapped device and
 * waits for its completion, {@link #message} is {@code dmsetup message}. Nothing in here orders the model's
 * threads beyond what the model does itself; the probes only take locks of their own.
 */
public final class TargetRig implements AutoCloseable {
    public static final int BLOCK_SECTORS = 8;
    public static final int ORIGIN_BLOCKS = 8;
    private static final long METADATA_SECTORS = 256 * 8;
    private static final long WAIT_SECONDS = 20;

    private final Scheduler scheduler;
    /** The threads the model started (its worker), or null when the worker is hosted by the caller's threads. */
    private final ThreadScheduler threads;
    private final SimDisk metadataDisk = SimDisk.builder(METADATA_SECTORS).name("metadata").recordLog(false).build();
    private final CommitProbe metadata;
    private final LandingProbe origin;
    private final MappedDevice dev;
    private final boolean boundedWaits;
    private boolean removed;

    /**
     * @param originLatencyNanos   how long each origin write is in flight before it lands
     * @param metadataFlushNanos   how long each metadata FLUSH takes (a commit has two)
     */
    public TargetRig(Variant variant, long originLatencyNanos, long metadataFlushNanos) {
        this(variant, originLatencyNanos, metadataFlushNanos, true);
    }

    /**
     * @param boundedWaits whether a user's wait for a write gives up after 20 s (jcstress: a hang must end the
     *                     sample, not the build); false under lincheck's model checker, which runs untimed waits
     *                     as its own blocking steps and reports a wait that can never end as a hang itself
     */
    public TargetRig(Variant variant, long originLatencyNanos, long metadataFlushNanos, boolean boundedWaits) {
        this(variant, new ThreadScheduler(), originLatencyNanos, metadataFlushNanos, boundedWaits);
    }

    /**
     * The target with no thread of its own: its worker's {@code do_work} runs on the caller's threads
     * ({@link HostedWorkScheduler}: {@link #runWorker()}, or inside any wait for it), and every completion is
     * delivered on the thread that submitted the request (the devices complete at once). For lincheck's model
     * checker, which can only interleave threads it runs itself. Waits are untimed.
     */
    public TargetRig(Variant variant, HostedWorkScheduler hosted) {
        this(variant, hosted, 0, 0, false);
    }

    private TargetRig(Variant variant, Scheduler scheduler, long originLatencyNanos, long metadataFlushNanos,
            boolean boundedWaits) {
        this.scheduler = scheduler;
        this.threads = scheduler instanceof ThreadScheduler t ? t : null;
        this.boundedWaits = boundedWaits;
        metadata = new CommitProbe(metadataDisk, metadataFlushNanos);
        origin = new LandingProbe(SimDisk.builder((long) ORIGIN_BLOCKS * BLOCK_SECTORS).name("origin")
                .recordLog(false).build(), originLatencyNanos);
        DeviceRegistry devices = new DeviceRegistry();
        devices.add("/dev/meta", "43:0", metadata);
        devices.add("/dev/origin", "43:32", origin);
        dev = new MappedDevice("era0", "253:0", scheduler, devices, new KernelLog(),
                Map.of("era", new EraTargetType(scheduler, variant, IoWait.LATCH, new Vmalloc())));
        dev.create("0 " + (long) ORIGIN_BLOCKS * BLOCK_SECTORS + " era /dev/meta /dev/origin " + BLOCK_SECTORS);
        origin.watch(() -> target().currentEra(), metadata::durableCommits);
    }

    public EraTarget target() {
        return (EraTarget) dev.liveTarget();
    }

    public CommitProbe metadata() {
        return metadata;
    }

    public LandingProbe origin() {
        return origin;
    }

    /** Forget the set-up's landings. */
    public void startWatching() {
        origin.reset();
    }

    /** A user's O_DIRECT write of one era block: submit, wait for completion, return its status. */
    public IoStatus write(int block) {
        if (threads == null) {
            return hostedWrite(block);
        }
        CountDownLatch done = new CountDownLatch(1);
        Bio bio = Bio.write((long) block * BLOCK_SECTORS, new byte[BLOCK_SECTORS * BlockDevice.SECTOR_SIZE], false,
                b -> done.countDown());
        dev.submit(bio);
        try {
            if (!boundedWaits) {
                done.await();
            } else if (!done.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("write to block " + block + " did not complete in " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a write", e);
        }
        return bio.status();
    }

    /**
     * The same write with the worker hosted: the wait goes through the scheduler, so that a write the target
     * deferred is issued by this thread running the worker if no other thread does.
     */
    private IoStatus hostedWrite(int block) {
        AtomicBoolean done = new AtomicBoolean();
        Bio bio = Bio.write((long) block * BLOCK_SECTORS, new byte[BLOCK_SECTORS * BlockDevice.SECTOR_SIZE], false,
                b -> {
                    done.set(true);
                    scheduler.signalAll();
                });
        dev.submit(bio);
        scheduler.await("write to block " + block + " to complete", done::get);
        return bio.status();
    }

    /**
     * One pass of the target's worker on the calling thread (a kworker taking the queued work item), when the
     * worker is hosted; false if it had no work pending or another thread was running it.
     */
    public boolean runWorker() {
        if (!(scheduler instanceof HostedWorkScheduler hosted)) {
            throw new IllegalStateException("the worker runs on a thread of its own");
        }
        return hosted.runWorker();
    }

    /** dmsetup message 0 TEXT. */
    public void message(String text) {
        dev.message(text);
    }

    /** dmsetup status (INFO): the whole status line. */
    public String status() {
        return dev.status(StatusType.INFO);
    }

    /** dmsetup suspend, then dmsetup resume (DMTS's "pause"): archives the era, then starts a new one. */
    public void pause() {
        dev.suspend();
        dev.resume();
    }

    /** dmsetup remove, then stop the rig's threads. Idempotent. */
    @Override
    public void close() {
        if (!removed) {
            removed = true;
            boolean clean = false;
            try {
                dev.remove();
                clean = true;
            } finally {
                // remove destroys the workqueue, whose thread then ends by itself; interrupting threads is
                // only for a remove that failed half-way.
                if (!clean && threads != null) {
                    threads.shutdown(WAIT_SECONDS, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * {@code era_invalidate --written-since era} on the metadata as the removed target left it (remove archives
     * the current era, so every era is in the writeset tree or the era array).
     */
    public BitSet writtenSince(long era) {
        close();
        byte[] image = new byte[(int) (metadataDisk.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        metadataDisk.image().read(0, image, 0, (int) metadataDisk.sizeSectors());
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), era, false, false, new InvalidateXml.RunWriter(xml));
        BitSet listed = new BitSet();
        for (long[] run : InvalidateXml.parse(xml.toString())) {
            listed.set((int) run[0], (int) run[1]);
        }
        return listed;
    }
}
