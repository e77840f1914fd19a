package org.eratestbed.stress.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.SuperblockDisk;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ThreadScheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;
import org.eratestbed.model.pdata.block.IoWait;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 32-bit era counter across its wrap, on the whole model target. The kernel keeps {@code current_era} in a
 * {@code uint32_t}; metadata_new_era does {@code current_era++} with no check, so 2^32 − 1 is followed by 0;
 * archived writesets are keyed by the era (a u64 key holding the u32), the digest takes the lowest key first and
 * writes {@code cpu_to_le32(era)} into the era array; writeset_marked / metadata_current_marked test bits and never
 * compare eras. Metadata is built with the era near the wrap: a clean target is removed, its superblock's
 * current_era set to 2^32 − 3 (checksum recomputed), and the target created again on it — what a device that
 * has lived through 2^32 − 3 checkpoints looks like.
 *
 * <p>What a user then sees (the specification this test pins down): status counts 4294967294, 4294967295, 0, 1;
 * {@code era_invalidate --written-since 4294967295} — "what changed since my last backup at era 2^32 − 1" —
 * omits every block written after the wrap (eras 0 and 1 compare below it): a silent under-report, oracle 1
 * broken by the counter alone; {@code --written-since 0} lists the whole device (every era-array entry is ≥ 0);
 * and {@code era_check} reports era values "above current_era" (oracle 3, which allows for the wrap). Both our
 * invalidate and thin-provisioning-tools' (when installed) give the same lists.
 */
class EraCounterWrapTest {
    private static final int BLOCK_SECTORS = 8;
    private static final int BLOCKS = 8;
    private static final long NEAR_WRAP = 0xFFFF_FFFDL;

    @TempDir
    Path dir;

    private final ThreadScheduler scheduler = new ThreadScheduler();
    private final SimDisk metadata = SimDisk.builder(256 * 8).name("metadata").recordLog(false).build();
    private final SimDisk origin = SimDisk.builder(BLOCKS * BLOCK_SECTORS).name("origin").recordLog(false).build();

    private MappedDevice create() {
        DeviceRegistry devices = new DeviceRegistry();
        devices.add("/dev/meta", "43:0", metadata);
        devices.add("/dev/origin", "43:32", origin);
        MappedDevice dev = new MappedDevice("era0", "253:0", scheduler, devices, new KernelLog(),
                Map.of("era", new EraTargetType(scheduler, Variant.UPSTREAM, IoWait.LATCH, new Vmalloc())));
        dev.create("0 " + BLOCKS * BLOCK_SECTORS + " era /dev/meta /dev/origin " + BLOCK_SECTORS);
        return dev;
    }

    private static String era(MappedDevice dev) {
        return dev.status(StatusType.INFO).split(" ")[5];
    }

    private static void write(MappedDevice dev, int block) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Bio bio = Bio.write((long) block * BLOCK_SECTORS, new byte[BLOCK_SECTORS * BlockDevice.SECTOR_SIZE], false,
                b -> done.countDown());
        dev.submit(bio);
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(IoStatus.OK, bio.status());
    }

    /** Sets the superblock's current_era and re-seals it, as era_restore of a dump with that era would. */
    private void setCurrentEra(long era) throws InterruptedException {
        byte[] sb = new byte[4096];
        CountDownLatch read = new CountDownLatch(1);
        metadata.submit(Bio.read(0, sb, b -> read.countDown()));
        assertTrue(read.await(5, TimeUnit.SECONDS));
        ByteBuffer le = ByteBuffer.wrap(sb).order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(SuperblockDisk.OFF_CURRENT_ERA, (int) era);
        le.putInt(SuperblockDisk.OFF_CSUM, Checksum.blockChecksum(sb, BlockType.ERA_SUPERBLOCK));
        CountDownLatch written = new CountDownLatch(2);
        metadata.submit(Bio.write(0, sb, true, b -> written.countDown()));
        metadata.submit(Bio.flush(b -> written.countDown()));
        assertTrue(written.await(5, TimeUnit.SECONDS));
    }

    private byte[] image() {
        byte[] image = new byte[(int) (metadata.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        metadata.image().read(0, image, 0, (int) metadata.sizeSectors());
        return image;
    }

    private static BitSet invalidate(byte[] image, long since) {
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), since, false, false, new InvalidateXml.RunWriter(xml));
        return runs(InvalidateXml.parse(xml.toString()));
    }

    private static BitSet runs(List<long[]> runs) {
        BitSet b = new BitSet();
        for (long[] r : runs) {
            b.set((int) r[0], (int) r[1]);
        }
        return b;
    }

    @Test
    void checkpointsAcrossTheWrapAndWhatInvalidateThenReports() throws Exception {
        MappedDevice dev = create();
        dev.remove();
        setCurrentEra(NEAR_WRAP);

        dev = create();
        List<String> eras = new ArrayList<>();
        eras.add(era(dev));
        write(dev, 0);                  // era 2^32-2
        dev.message("checkpoint");
        eras.add(era(dev));
        write(dev, 1);                  // era 2^32-1
        dev.message("checkpoint");
        eras.add(era(dev));
        write(dev, 2);                  // era 0: after the wrap
        write(dev, 0);
        dev.message("checkpoint");
        eras.add(era(dev));
        write(dev, 3);                  // era 1
        dev.remove();
        assertTrue(scheduler.shutdown(10, TimeUnit.SECONDS));
        assertEquals(List.of("4294967294", "4294967295", "0", "1"), eras, "status counts through the wrap");

        byte[] image = image();
        BitSet sinceLastEraBeforeWrap = invalidate(image, 0xFFFF_FFFFL);
        assertTrue(sinceLastEraBeforeWrap.get(1), "block 1, written in era 2^32-1, is listed");
        assertFalse(sinceLastEraBeforeWrap.get(2), "block 2, written in era 0 (after 2^32-1), is missed: under-report");
        assertFalse(sinceLastEraBeforeWrap.get(3), "block 3, written in era 1 (after 2^32-1), is missed: under-report");
        BitSet sinceZero = invalidate(image, 0);
        BitSet all = new BitSet();
        all.set(0, BLOCKS);
        assertEquals(all, sinceZero, "--written-since 0 lists every block of the device");

        CheckReport check = EraCheck.check(new ByteArrayBlockSource(image));
        assertFalse(check.ok(), "eras before the wrap are newer than current_era 1");
        assertTrue(check.lines().stream().anyMatch(l -> l.contains("above current_era 1")),
                () -> String.join("\n", check.lines()));

        assertThinToolsAgree(image, 0xFFFF_FFFFL, sinceLastEraBeforeWrap);
        assertThinToolsAgree(image, 0, sinceZero);
    }

    /** thin-provisioning-tools' era_invalidate on the same image, when it is installed. */
    private void assertThinToolsAgree(byte[] image, long since, BitSet ours) throws IOException, InterruptedException {
        Path tool = Path.of("/usr/sbin/era_invalidate");
        Assumptions.assumeTrue(Files.isExecutable(tool), "thin-provisioning-tools' era_invalidate is not installed");
        Path img = dir.resolve("meta.img");
        Files.write(img, image);
        Process p = new ProcessBuilder(tool.toString(), "--written-since", Long.toString(since), img.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(ours, runs(InvalidateXml.parse(out)), "era_invalidate --written-since " + since + ":\n" + out);
    }
}
