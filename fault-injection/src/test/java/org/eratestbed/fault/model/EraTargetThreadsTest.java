package org.eratestbed.fault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.util.BitSet;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ThreadScheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;
import org.junit.jupiter.api.Test;

/**
 * The second driver: the same target classes on real threads (the ThreadScheduler), with writers and a
 * checkpointer racing as they would on a real machine. What must hold whatever the interleaving: no written
 * block is missing from "written since era 1", the era advanced once per checkpoint, the metadata is
 * consistent, and nothing hangs. It cannot show which interleavings occurred; the deterministic scheduler
 * and the stress suites are for that.
 */
class EraTargetThreadsTest {
    static final int BLOCKS = 96;
    static final int BLOCK_SECTORS = 8;

    @Test
    void writersAndCheckpointsOnRealThreads() throws Exception {
        ThreadScheduler sched = new ThreadScheduler();
        SimDisk metadata = SimDisk.builder(4 << 11).name("metadata").build();
        SimDisk origin = SimDisk.builder(BLOCKS * BLOCK_SECTORS).name("origin").build();
        DeviceRegistry devices = new DeviceRegistry();
        devices.add("/dev/nbd0", "43:0", metadata);
        devices.add("/dev/nbd1", "43:32", origin);
        MappedDevice era = new MappedDevice("era0", "253:0", sched, devices, new KernelLog(),
                Map.of("era", new EraTargetType(sched, Variant.UPSTREAM, IoWait.LATCH, new Vmalloc())));
        era.create("0 " + BLOCKS * BLOCK_SECTORS + " era /dev/nbd0 /dev/nbd1 " + BLOCK_SECTORS);

        int writers = 3;
        int checkpoints = 20;
        BitSet written = new BitSet();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(writers + 1);
        for (int w = 0; w < writers; w++) {
            long seed = w;
            Thread t = new Thread(() -> {
                try {
                    SplittableRandom r = new SplittableRandom(seed);
                    for (int i = 0; i < 150; i++) {
                        int b = r.nextInt(BLOCKS);
                        write(era, b);
                        synchronized (written) {
                            written.set(b);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "writer-" + w);
            t.setDaemon(true);
            t.start();
        }
        Thread cp = new Thread(() -> {
            try {
                for (int i = 0; i < checkpoints; i++) {
                    era.message("checkpoint");
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                done.countDown();
            }
        }, "checkpointer");
        cp.setDaemon(true);
        cp.start();
        assertTrue(done.await(60, TimeUnit.SECONDS), "writers or checkpoints hung");
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        String status = era.status(StatusType.INFO);
        assertEquals(String.valueOf(1 + checkpoints), status.split(" ")[5], status);
        era.remove();
        assertTrue(sched.shutdown(10, TimeUnit.SECONDS), "threads left running");

        byte[] image = new byte[(int) (metadata.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        metadata.image().read(0, image, 0, (int) metadata.sizeSectors());
        CheckReport report = EraCheck.check(new ByteArrayBlockSource(image));
        assertTrue(report.ok(), () -> String.join("\n", report.lines()));
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), 1, false, false, new InvalidateXml.RunWriter(xml));
        BitSet listed = new BitSet();
        for (long[] run : InvalidateXml.parse(xml.toString())) {
            listed.set((int) run[0], (int) run[1]);
        }
        BitSet missing = (BitSet) written.clone();
        missing.andNot(listed);
        assertTrue(missing.isEmpty(), "written but not listed since era 1: " + missing);
    }

    private static void write(MappedDevice era, int block) throws InterruptedException {
        CountDownLatch completed = new CountDownLatch(1);
        Bio bio = Bio.write((long) block * BLOCK_SECTORS, new byte[BLOCK_SECTORS * BlockDevice.SECTOR_SIZE], false,
                b -> completed.countDown());
        era.submit(bio);
        assertTrue(completed.await(30, TimeUnit.SECONDS), "write to block " + block + " never completed");
        assertEquals(IoStatus.OK, bio.status());
    }
}
