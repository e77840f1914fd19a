package org.eratestbed.fault.dmts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.eratestbed.device.BlockDevice;
import org.junit.jupiter.api.Test;

/**
 * DMTS {@code linear_property_tests.rb} on the model: era behaves as a linear target. DMTS's
 * {@code PatternStomper} (32 KiB chunks, {@code stamp(20)}: random data on a random 20% of the chunks,
 * remembered, then verified) is reproduced from a seed; reads go through the era device as bios.
 *
 * <p>Scaled: the 1 GiB origin becomes 256 era blocks of 64 KiB (16 MiB, 512 chunks of 32 KiB). DMTS's
 * {@code dt_a_new_era_device} runs the external {@code dt} tool; its port writes and verifies the whole
 * device with bios of mixed sizes and offsets, many of them crossing era-block boundaries (so dm core's
 * split at max_io_len is exercised), and checks what the era metadata recorded.
 */
class LinearPropertyTest {
    static final int CHUNK_SECTORS = 64;

    /** The stamped chunks and their contents. */
    record Pattern(List<Integer> chunks, List<byte[]> data) {
        static Pattern stamp(long deviceSectors, int percent, long seed) {
            Random r = new Random(seed);
            int nrChunks = (int) (deviceSectors / CHUNK_SECTORS);
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < nrChunks; i++) {
                all.add(i);
            }
            java.util.Collections.shuffle(all, r);
            List<Integer> chosen = new ArrayList<>(all.subList(0, nrChunks * percent / 100));
            chosen.sort(null);
            List<byte[]> data = new ArrayList<>();
            for (int ignored : chosen) {
                byte[] b = new byte[CHUNK_SECTORS * BlockDevice.SECTOR_SIZE];
                r.nextBytes(b);
                data.add(b);
            }
            return new Pattern(chosen, data);
        }

        byte[] expected(int chunk) {
            int i = chunks.indexOf(chunk);
            return i < 0 ? new byte[CHUNK_SECTORS * BlockDevice.SECTOR_SIZE] : data.get(i);
        }
    }

    interface ChunkReader {
        byte[] read(int chunk);
    }

    /** verify(0, 1): every chunk of the device, stamped or not (need_zero: unstamped chunks are zero). */
    static void verify(Pattern p, long deviceSectors, ChunkReader reader, String where) {
        for (int c = 0; c < deviceSectors / CHUNK_SECTORS; c++) {
            assertArrayEquals(p.expected(c), reader.read(c), where + ": chunk " + c);
        }
    }

    static ChunkReader era(EraStack s) {
        return c -> s.readEra((long) c * CHUNK_SECTORS, CHUNK_SECTORS);
    }

    static ChunkReader origin(EraStack s) {
        return c -> {
            byte[] b = new byte[CHUNK_SECTORS * BlockDevice.SECTOR_SIZE];
            s.origin().read((long) c * CHUNK_SECTORS, b);
            return b;
        };
    }

    static long sectors(EraStack s) {
        return s.originBlocks() * s.blockSize();
    }

    @Test
    void prepareOnOriginThenCheckEra() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 256, 4)) {
            Pattern p = Pattern.stamp(sectors(s), 20, 1);
            for (int i = 0; i < p.chunks().size(); i++) {
                s.origin().write((long) p.chunks().get(i) * CHUNK_SECTORS, p.data().get(i));
            }
            verify(p, sectors(s), origin(s), "origin");
            s.create();
            verify(p, sectors(s), era(s), "through era");
            s.remove();
            verify(p, sectors(s), origin(s), "origin after remove");
            assertEquals(List.of(), written(s.image()), "reads are not writes: nothing marked");
        }
    }

    @Test
    void prepareOnEraThenCheckOrigin() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 256, 4)) {
            Pattern p = Pattern.stamp(sectors(s), 20, 2);
            s.create();
            stampThroughEra(s, p);
            verify(p, sectors(s), era(s), "through era");
            s.remove();
            verify(p, sectors(s), origin(s), "origin");
            assertEquals(blocksOf(p, s.blockSize()), written(s.image()), "exactly the stamped era blocks are marked");
            CreationTest.assertClean(s.image());
        }
    }

    /** DMTS's third linear test: a pattern written via era survives deactivate/reactivate. */
    @Test
    void prepareEraThenCheckAfterReload() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 256, 4)) {
            Pattern p = Pattern.stamp(sectors(s), 20, 3);
            s.create();
            stampThroughEra(s, p);
            s.remove();
            s.create();
            verify(p, sectors(s), era(s), "through era after reload");
            s.remove();
            CreationTest.assertClean(s.image());
        }
    }

    @Test
    void dtANewEraDevice() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 64, 4)) {
            s.create();
            long total = sectors(s);
            Random r = new Random(4);
            byte[] expected = new byte[(int) total * BlockDevice.SECTOR_SIZE];
            long sector = 0;
            while (sector < total) {
                int len = (int) Math.min(total - sector, 8 + r.nextInt(300)); // up to ~2.3 era blocks
                byte[] b = new byte[len * BlockDevice.SECTOR_SIZE];
                r.nextBytes(b);
                s.writeEra(sector, b);
                System.arraycopy(b, 0, expected, (int) sector * BlockDevice.SECTOR_SIZE, b.length);
                sector += len;
            }
            for (long at = 0; at < total; ) {
                int len = (int) Math.min(total - at, 1 + r.nextInt(400));
                byte[] got = s.readEra(at, len);
                int off = (int) at * BlockDevice.SECTOR_SIZE;
                assertArrayEquals(Arrays.copyOfRange(expected, off, off + got.length), got, "era sectors at " + at);
                at += len;
            }
            s.remove();
            byte[] onOrigin = new byte[expected.length];
            s.origin().read(0, onOrigin);
            assertArrayEquals(expected, onOrigin);
            List<Long> all = new ArrayList<>();
            for (long b = 0; b < s.originBlocks(); b++) {
                all.add(b);
            }
            assertEquals(all, written(s.image()), "every era block marked, split bios included");
            CreationTest.assertClean(s.image());
        }
    }

    private static void stampThroughEra(EraStack s, Pattern p) {
        for (int i = 0; i < p.chunks().size(); i++) {
            s.writeEra((long) p.chunks().get(i) * CHUNK_SECTORS, p.data().get(i));
        }
    }

    /** Era blocks listed by invalidate --written-since 1 (era 1 is the first era after create). */
    private static List<Long> written(byte[] image) {
        List<Long> out = new ArrayList<>();
        for (long[] run : EraStack.invalidateRuns(image, 1)) {
            for (long b = run[0]; b < run[1]; b++) {
                out.add(b);
            }
        }
        return out;
    }

    private static List<Long> blocksOf(Pattern p, long blockSize) {
        java.util.TreeSet<Long> blocks = new java.util.TreeSet<>();
        for (int c : p.chunks()) {
            blocks.add((long) c * CHUNK_SECTORS / blockSize);
        }
        return new ArrayList<>(blocks);
    }
}
