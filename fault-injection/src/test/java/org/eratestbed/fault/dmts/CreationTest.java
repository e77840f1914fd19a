package org.eratestbed.fault.dmts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.pdata.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DMTS {@code creation_tests.rb} on the model, plus the constructor checks the era target makes
 * (reference section 1, "Constructor").
 *
 * <p>Scaled: DMTS's 1 GiB origin becomes 256 era blocks of 64 KiB (16 MiB); only sizes change. The two origin
 * limits keep their real sizes — 2^31 and 2^31 − 1 era blocks (DMTS: an error target of 137438953472
 * sectors with 64-sector blocks) — because the limit is what is tested; the origin device is sparse.
 *
 * <p>The largest valid origin cannot be activated here, nor in DMTS ({@code _test_largest_valid_origin} is
 * disabled there "not enough metadata space"): dm_array_resize allocates one array block per 1018 era
 * entries, so 2^31 − 1 blocks need 2,109,574 array blocks (8.05 GiB) of metadata — half the metadata device's
 * maximum of 4,161,600 blocks and far more than a simulated device can hold in memory. What is checked
 * instead is where it fails: it passes valid_nr_blocks and the resize runs out of metadata space (ENOSPC),
 * without the model allocating anything per origin block, while 2^31 blocks fail valid_nr_blocks (EINVAL).
 */
class CreationTest {
    @Test
    void bringUpAnEraTarget() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 256, 4)) {
            s.create();
            EraStack.Status st = s.status();
            assertEquals(8, st.mdBlockSectors());
            assertEquals(1, st.era(), "creating the device is its first resume: era 0 -> 1");
            assertEquals(4 * 256, st.total(), "total = metadata device size / 4 KiB");
            assertEquals("-", st.snap());
            s.remove();
            // DMTS EraTarget#post_remove_check: era_check after every teardown
            assertClean(s.image());
            EraDump d = EraStack.dump(s.image(), false, false);
            assertEquals(256, d.nrBlocks());
            assertEquals(EraStack.DMTS_BLOCK_SIZE, d.blockSize());
        }
    }

    static void assertClean(byte[] image) {
        CheckReport r = EraStack.check(image);
        assertTrue(r.ok() && r.warningCount() == 0, () -> "model check: " + String.join("\n", r.lines()));
        if (ThinTools.available()) {
            ThinTools.Result t = ThinTools.check(image);
            assertEquals(0, t.code(), () -> "era_check: " + t.err() + t.out());
        }
    }

    /**
     * Both checkers on an image that was opened from a ctr-only (formatted, never resumed) image: era_check
     * must pass; the model's check must find nothing but the space-map index's {@code nr_free}, which the
     * format commit left stale and every later commit carries on (see
     * {@link #reopenedFormatImageKeepsOnlyAStaleNrFreeWarning}).
     */
    static void assertCleanButFormatIndex(byte[] image) {
        CheckReport r = EraStack.check(image);
        assertTrue(r.ok() && r.problems().stream().allMatch(p -> p.toString().startsWith("warning: ")
                && p.toString().contains("space map index entry 0") && p.toString().contains("nr_free")),
                () -> "model check: " + String.join("\n", r.lines()));
        if (ThinTools.available()) {
            ThinTools.Result t = ThinTools.check(image);
            assertEquals(0, t.code(), () -> "era_check: " + t.err() + t.out());
        }
    }

    /**
     * The format commit writes the space-map index as it was after the bootstrap (blocks 0-3 counted:
     * nr_free 16316, none_free_before 4) while the bitmap and nr_allocated count 6 blocks (the writeset tree
     * and era array leaves too), as the kernel's fresh format does (reference section 2): era's format
     * commits without dm_tm_pre_commit. An instance that opens such an image carries the stale nr_free on.
     * nr_free is an allocation hint, so check reports it as a warning and the image stays valid.
     */
    @Test
    void reopenedFormatImageKeepsOnlyAStaleNrFreeWarning() {
        byte[] formatted;
        try (EraStack s = new EraStack(8, 256, 4)) {
            assertNull(s.dmsetup("load", () -> s.era().load(s.tableLine(256 * 8))));
            formatted = s.image();
        }
        try (EraStack again = new EraStack(8, 256, 4, formatted)) {
            again.create();
            again.write(0, 3);
            again.remove();
            assertCleanButFormatIndex(again.image());
        }
    }

    /**
     * The table line is accepted (the constructor no longer resizes, cca2c6aebe86); the first resume's
     * preresume runs metadata_resize, whose valid_nr_blocks check refuses 2^31 blocks with EINVAL, logged as
     * the kernel does. As in do_resume, the table has been swapped in before dm_resume failed: it is live but
     * the device stays suspended. Nothing of the failed resize reaches the metadata, which still holds what
     * the constructor formatted, and a valid table can be activated on it afterwards.
     */
    @Test
    void smallestInvalidOrigin() {
        long blocks = 1L << 31;
        try (EraStack s = new EraStack(64, blocks, 4)) {
            String line = s.tableLine(blocks * 64);
            assertEquals("0 137438953472 era /dev/nbd0 /dev/nbd1 64", line, "DMTS's table: 2^31 blocks of 32 KiB");
            int mark = s.era().log().mark();
            assertNull(s.dmsetup("load", () -> s.era().load(line)), "the constructor accepts the table");
            byte[] formatted = s.image();
            DmException e = s.dmsetup("resume", () -> s.era().resume());
            assertNotNull(e, "the first resume must fail");
            assertEquals(Errno.EINVAL, e.errno());
            List<String> log = s.era().log().since(mark);
            assertTrue(log.contains("device-mapper: era: Invalid number of origin blocks 2147483648"), log::toString);
            assertTrue(log.contains("device-mapper: era: era_preresume: metadata_resize failed"), log::toString);
            assertTrue(s.era().suspended());
            assertNotNull(s.era().liveTarget(), "do_resume swapped the table in before dm_resume failed");
            assertNull(s.dmsetup("remove", () -> s.era().remove()));
            assertCommittedUnchanged(formatted, s.image(), "the failed resume");
            assertEquals(0, EraStack.dump(s.image(), false, false).nrBlocks());
            assertUsableAfterwards(s.image(), 64);
        }
    }

    /**
     * Nothing was committed: the superblock is byte for byte the one the constructor wrote, and the metadata
     * reads the same. Other blocks may differ: the block manager may write back blocks the failed resize
     * allocated and never committed (dm-bufio does the same), which nothing references.
     */
    private static void assertCommittedUnchanged(byte[] before, byte[] after, String what) {
        assertArrayEquals(java.util.Arrays.copyOf(before, 4096), java.util.Arrays.copyOf(after, 4096),
                what + " left the superblock alone");
        assertEquals(EraStack.dump(before, false, false), EraStack.dump(after, false, false), what);
    }

    /** The metadata a failed activation left is activated with a valid 256-block table and passes the checks. */
    private static void assertUsableAfterwards(byte[] image, long blockSize) {
        try (EraStack again = new EraStack(blockSize, 256, 4, image)) {
            again.create();
            assertEquals(1, again.status().era());
            again.write(0, 3);
            again.remove();
            assertCleanButFormatIndex(again.image());
            assertEquals("[0-3]", runsText(EraStack.invalidateRuns(again.image(), 1)));
        }
    }

    @Test
    void largestValidOriginPassesTheLimitAndRunsOutOfMetadata() {
        long blocks = (1L << 31) - 1;
        try (EraStack s = new EraStack(64, blocks, 4)) {
            String line = s.tableLine(blocks * 64);
            int mark = s.era().log().mark();
            long heapBefore = usedHeap();
            assertNull(s.dmsetup("load", () -> s.era().load(line)));
            byte[] formatted = s.image();
            DmException e = s.dmsetup("resume", () -> s.era().resume());
            long heapGrowth = usedHeap() - heapBefore;
            assertNotNull(e, "4 MiB of metadata cannot hold an era array of 2^31 - 1 entries");
            assertEquals(Errno.ENOSPC, e.errno(), "valid_nr_blocks accepts it: the resize itself runs out of space");
            List<String> log = s.era().log().since(mark);
            assertFalse(log.stream().anyMatch(l -> l.contains("Invalid number of origin blocks")), log::toString);
            assertTrue(log.contains("device-mapper: era: metadata_resize: dm_array_resize failed"), log::toString);
            assertTrue(log.contains("device-mapper: era: era_preresume: metadata_resize failed"), log::toString);
            // the kernel vzallocs two 256 MiB in-core bitsets here; the model only accounts for them
            assertTrue(heapGrowth < 64L << 20, "heap grew by " + (heapGrowth >> 20) + " MiB");
            assertNull(s.dmsetup("remove", () -> s.era().remove()));
            assertCommittedUnchanged(formatted, s.image(), "the failed resize");
            assertUsableAfterwards(s.image(), 64);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        System.gc();
        return r.totalMemory() - r.freeMemory();
    }

    /** valid_block_size: > 0 and a multiple of 8 sectors; a power of two is not required. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "7", "12", "100", "4"})
    void invalidBlockSizesAreRefused(String blockSize) {
        try (EraStack s = new EraStack(8, 64, 4)) {
            int mark = s.era().log().mark();
            DmException e = s.dmsetup("load", () -> s.era().load("0 512 era /dev/nbd0 /dev/nbd1 " + blockSize));
            assertNotNull(e, "block size " + blockSize + " must be refused");
            assertEquals(Errno.EINVAL, e.errno());
            List<String> log = s.era().log().since(mark);
            assertTrue(log.stream().anyMatch(l -> l.contains("Invalid block size")), log::toString);
            assertFalse(s.era().hasInactiveTable());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8x", "abc", "", "0x80"})
    void unparsableBlockSizesAreRefused(String blockSize) {
        try (EraStack s = new EraStack(8, 64, 4)) {
            int mark = s.era().log().mark();
            String line = "0 512 era /dev/nbd0 /dev/nbd1 " + (blockSize.isEmpty() ? "8 9" : blockSize);
            DmException e = s.dmsetup("load", () -> s.era().load(line));
            assertNotNull(e);
            assertEquals(Errno.EINVAL, e.errno());
            String expected = blockSize.isEmpty() ? "Invalid argument count" : "Error parsing block size";
            List<String> log = s.era().log().since(mark);
            assertTrue(log.stream().anyMatch(l -> l.contains(expected)), log::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 512 era /dev/nbd0 /dev/nbd1", "0 512 era /dev/nbd0", "0 512 era",
            "0 512 era /dev/nbd0 /dev/nbd1 8 8"})
    void wrongArgumentCountIsRefused(String line) {
        try (EraStack s = new EraStack(8, 64, 4)) {
            int mark = s.era().log().mark();
            DmException e = s.dmsetup("load", () -> s.era().load(line));
            assertNotNull(e, line);
            assertEquals(Errno.EINVAL, e.errno());
            List<String> log = s.era().log().since(mark);
            assertTrue(log.stream().anyMatch(l -> l.contains("Invalid argument count")), log::toString);
        }
    }

    /**
     * 24 sectors is a multiple of 8 but not a power of two: accepted, and bios map to blocks by division
     * (sector_div), not by a shift. A write at sector 24*k + 23 lands in block k.
     */
    @Test
    void nonPowerOfTwoMultipleOfEightIsAccepted() {
        try (EraStack s = new EraStack(24, 100, 4)) {
            s.create();
            long era = s.checkpoint();
            for (long block : new long[] {5, 42, 99}) {
                s.writeEra(block * 24 + 16, new byte[8 * 512]); // the block's last 4 KiB
            }
            s.remove();
            assertClean(s.image());
            List<long[]> runs = EraStack.invalidateRuns(s.image(), era);
            assertEquals("[5-6, 42-43, 99-100]", runsText(runs));
            assertEquals(100, EraStack.dump(s.image(), false, false).nrBlocks());
            assertEquals(24, EraStack.dump(s.image(), false, false).blockSize());
        }
    }

    static String runsText(List<long[]> runs) {
        StringBuilder sb = new StringBuilder("[");
        for (long[] r : runs) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(r[0]).append('-').append(r[1]);
        }
        return sb.append(']').toString();
    }
}
