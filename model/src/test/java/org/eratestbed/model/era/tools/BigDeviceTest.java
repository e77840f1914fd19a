package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.disk.Le;
import org.junit.jupiter.api.Test;

/**
 * An origin of 2^31 - 1 blocks, the largest dm-era accepts: 2.1 M era-array slots and a 2^31-bit writeset,
 * built with shared all-zero array blocks so the image stays small. check and invalidate must handle it
 * without per-origin-block memory (a 2^31-bit bitset alone would be 256 MiB).
 */
class BigDeviceTest {
    private static final long NR = (1L << 31) - 1;
    private static final long MARKED_LATE = NR - 2;
    private static final long OLD_ERA_BLOCK = 1_000_000_000L;

    private static byte[] image;

    static synchronized byte[] image() {
        if (image == null) {
            image = build();
        }
        return image.clone();
    }

    static byte[] build() {
        ImageBuilder b = new ImageBuilder(9000);
        int eraMax = arrayMaxEntries(ERA_VALUE_SIZE);
        long eraRoot = b.array(ERA_VALUE_SIZE, NR, (index, nr) -> {
            if (index != OLD_ERA_BLOCK / eraMax) {
                return null;
            }
            byte[] v = new byte[4 * nr];
            Le.put32(v, (int) (4 * (OLD_ERA_BLOCK % eraMax)), 3);
            return v;
        });
        int wordMax = arrayMaxEntries(BITSET_WORD_SIZE);
        long bitsetRoot = b.array(BITSET_WORD_SIZE, (NR + 63) / 64, (index, nr) -> {
            long first = index * wordMax;
            long w = MARKED_LATE / 64;
            if (index != 0 && (w < first || w >= first + nr)) {
                return null;
            }
            byte[] v = new byte[8 * nr];
            if (index == 0) {
                Le.put64(v, 0, 1L);
            }
            if (w >= first && w < first + nr) {
                Le.put64(v, (int) (8 * (w - first)), 1L << (MARKED_LATE % 64));
            }
            return v;
        });
        byte[] ws = new byte[12];
        Le.put32(ws, 0, NR);
        Le.put64(ws, 4, bitsetRoot);
        b.ref(bitsetRoot);
        long wsRoot = b.btree(WRITESET_VALUE_SIZE, new long[] {5}, new byte[][] {ws});
        return b.finish(128, NR, 7, wsRoot, eraRoot);
    }

    private static long allocatedBytes(Runnable r) {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        r.run();
        return bean.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void aTwoBillionBlockOriginIsCheckedAndListedWithoutPerBlockMemory() {
        byte[] img = image();
        ByteArrayBlockSource src = new ByteArrayBlockSource(img);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CheckReport[] report = new CheckReport[1];
            long checkBytes = allocatedBytes(() -> report[0] = EraCheck.check(src));
            assertTrue(report[0].ok(), () -> String.join("\n", report[0].lines()));
            assertTrue(report[0].summary().contains("nr_blocks 2147483647"), report[0].summary());
            // a per-origin-block structure would allocate 256 MiB (bits) to 8 GiB (eras); reads of ~9000 blocks
            // and the space map's tables stay far below
            assertTrue(checkBytes < 128L << 20, "check allocated " + (checkBytes >> 20) + " MiB");

            String[] out = new String[1];
            long invBytes = allocatedBytes(() -> out[0] = Run.invalidate(src, 5, false));
            assertEquals("<blocks>\n  <block block=\"0\"/>\n  <block block=\"" + MARKED_LATE + "\"/>\n</blocks>\n", out[0]);
            assertTrue(invBytes < 128L << 20, "invalidate allocated " + (invBytes >> 20) + " MiB");
            assertEquals("<blocks>\n  <block block=\"0\"/>\n  <block block=\"" + OLD_ERA_BLOCK + "\"/>\n  <block block=\""
                    + MARKED_LATE + "\"/>\n</blocks>\n", Run.invalidate(src, 3, false));
        });
    }

    @Test
    void aCorruptedSharedBlockIsReportedOnceNotTwoMillionTimes() {
        byte[] img = image();
        ImageEdit e = new ImageEdit(img);
        // the era array's shared all-zero block: the first array block of the first index leaf
        long root = e.u64(0, SB_ERA_ARRAY_ROOT);
        long node = root;
        while (e.u32(node, NODE_FLAGS) == INTERNAL_NODE) {
            node = e.u64(node, NODE_HEADER_SIZE + 8 * (int) e.u32(node, NODE_MAX_ENTRIES));
        }
        long shared = e.u64(node, NODE_HEADER_SIZE + 8 * (int) e.u32(node, NODE_MAX_ENTRIES));
        e.put32(shared, AB_HEADER_SIZE, 9);
        e.fix(shared, org.eratestbed.model.pdata.block.BlockType.ARRAY_BLOCK);
        CheckReport r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> EraCheck.check(new ByteArrayBlockSource(img)));
        assertTrue(!r.ok() && r.lines().get(0).startsWith("block " + shared + ":"), () -> String.join("\n", r.lines()));
        assertEquals(1, r.lines().stream().filter(l -> l.startsWith("block " + shared + ":")).count(),
                () -> String.join("\n", r.lines()));
    }
}
