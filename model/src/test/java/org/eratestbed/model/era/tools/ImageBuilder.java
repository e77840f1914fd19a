package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * Builds era metadata images block by block for tests that era_restore cannot serve: full all-zero array
 * blocks are written once and shared (reference counts above 2 go to the ref-count tree), so an era array of 2^31
 * entries takes a few thousand blocks. Independent of the model's writer and of the readers under test.
 */
final class ImageBuilder {
    /** The payload (values only) of array block {@code index}, which holds {@code nr} entries; null for zeros. */
    interface Payload {
        byte[] of(long index, int nr);
    }

    private final byte[] img;
    private final int nrBlocks;
    private final int[] counts;
    private int next = 1;
    private final Map<Integer, Long> zeroBlock = new HashMap<>();

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    ImageBuilder(int nrBlocks) {
        this.nrBlocks = nrBlocks;
        this.img = new byte[nrBlocks * BLOCK_SIZE];
        this.counts = new int[nrBlocks];
        counts[0] = 1;
    }

    private long alloc() {
        if (next >= nrBlocks) {
            throw new IllegalStateException("image full");
        }
        return next++;
    }

    private void write(long b, byte[] d, BlockType t) {
        Le.put32(d, 0, Checksum.blockChecksum(d, t));
        System.arraycopy(d, 0, img, (int) b * BLOCK_SIZE, BLOCK_SIZE);
    }

    /** A dm-array of {@code nrEntries} values of {@code vs} bytes; returns its root. */
    long array(int vs, long nrEntries, Payload payload) {
        int max = arrayMaxEntries(vs);
        long nrAblocks = (nrEntries + max - 1) / max;
        long[] keys = new long[(int) nrAblocks];
        long[] locs = new long[(int) nrAblocks];
        for (long i = 0; i < nrAblocks; i++) {
            int nr = (int) Math.min(max, nrEntries - i * max);
            byte[] values = payload.of(i, nr);
            // only full all-zero blocks are shared: enough to make 2^31 entries cheap
            Long loc = nr == max && values == null ? zeroBlock.get(vs) : null;
            if (values == null) {
                values = new byte[vs * nr];
            }
            if (loc == null) {
                loc = alloc();
                byte[] d = new byte[BLOCK_SIZE];
                Le.put32(d, AB_MAX_ENTRIES, max);
                Le.put32(d, AB_NR_ENTRIES, nr);
                Le.put32(d, AB_VALUE_SIZE, vs);
                Le.put64(d, AB_BLOCKNR, loc);
                System.arraycopy(values, 0, d, AB_HEADER_SIZE, values.length);
                write(loc, d, BlockType.ARRAY_BLOCK);
                if (nr == max && allZero(values)) {
                    zeroBlock.put(vs, loc);
                }
            }
            keys[(int) i] = i;
            locs[(int) i] = loc;
        }
        byte[][] values = new byte[locs.length][];
        for (int i = 0; i < locs.length; i++) {
            values[i] = new byte[8];
            Le.put64(values[i], 0, locs[i]);
            counts[(int) locs[i]]++;
        }
        return btree(8, keys, values);
    }

    /** One more reference to {@code block} from a value the builder does not interpret (a writeset's bitset root). */
    void ref(long block) {
        counts[(int) block]++;
    }

    /** A dm-btree with the given sorted leaf entries; leaves as full as possible but at least a third full. */
    long btree(int vs, long[] keys, byte[][] values) {
        int leafMax = btreeMaxEntries(vs);
        List<long[]> level = new ArrayList<>(); // {firstKey, block}
        for (int[] range : split(keys.length, leafMax)) {
            long loc = alloc();
            node(loc, LEAF_NODE, leafMax, vs, keys, values, range[0], range[1]);
            level.add(new long[] {range[1] > range[0] ? keys[range[0]] : 0, loc});
        }
        while (level.size() > 1) {
            int max = btreeMaxEntries(8);
            long[] k = new long[level.size()];
            byte[][] v = new byte[level.size()][];
            for (int i = 0; i < level.size(); i++) {
                k[i] = level.get(i)[0];
                v[i] = new byte[8];
                Le.put64(v[i], 0, level.get(i)[1]);
                counts[(int) level.get(i)[1]]++;
            }
            List<long[]> up = new ArrayList<>();
            for (int[] range : split(k.length, max)) {
                long loc = alloc();
                node(loc, INTERNAL_NODE, max, 8, k, v, range[0], range[1]);
                up.add(new long[] {k[range[0]], loc});
            }
            level = up;
        }
        return level.get(0)[1];
    }

    private static List<int[]> split(int n, int max) {
        int parts = Math.max(1, (n + max - 1) / max);
        List<int[]> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            out.add(new int[] {(int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)});
        }
        return out;
    }

    private void node(long loc, int flags, int max, int vs, long[] keys, byte[][] values, int from, int to) {
        byte[] d = new byte[BLOCK_SIZE];
        Le.put32(d, NODE_FLAGS, flags);
        Le.put64(d, NODE_BLOCKNR, loc);
        Le.put32(d, NODE_NR_ENTRIES, to - from);
        Le.put32(d, NODE_MAX_ENTRIES, max);
        Le.put32(d, NODE_VALUE_SIZE, vs);
        for (int i = from; i < to; i++) {
            Le.put64(d, NODE_HEADER_SIZE + 8 * (i - from), keys[i]);
            System.arraycopy(values[i], 0, d, NODE_HEADER_SIZE + 8 * max + vs * (i - from), vs);
        }
        write(loc, d, BlockType.BTREE_NODE);
    }

    /** Writes the space map and the superblock; the roots given are counted once from the superblock. */
    byte[] finish(long dataBlockSize, long nrOrigin, long currentEra, long writesetTreeRoot, long eraArrayRoot) {
        counts[(int) writesetTreeRoot]++;
        counts[(int) eraArrayRoot]++;
        long index = alloc();
        int nrBitmaps = (nrBlocks + ENTRIES_PER_BITMAP - 1) / ENTRIES_PER_BITMAP;
        long[] bitmaps = new long[nrBitmaps];
        for (int i = 0; i < nrBitmaps; i++) {
            bitmaps[i] = alloc();
            counts[(int) bitmaps[i]]++;
        }
        long refRoot = alloc();
        counts[(int) index]++;
        counts[(int) refRoot]++;
        List<Long> bigKeys = new ArrayList<>();
        for (int b = 0; b < nrBlocks; b++) {
            if (counts[b] > 2) {
                bigKeys.add((long) b);
            }
        }
        long[] rk = bigKeys.stream().mapToLong(Long::longValue).toArray();
        byte[][] rv = new byte[rk.length][];
        for (int i = 0; i < rk.length; i++) {
            rv[i] = new byte[4];
            Le.put32(rv[i], 0, counts[(int) rk[i]]);
        }
        if (rk.length > btreeMaxEntries(4)) {
            throw new IllegalStateException("ref-count tree needs more than one leaf");
        }
        node(refRoot, LEAF_NODE, btreeMaxEntries(4), 4, rk, rv, 0, rk.length);

        byte[] idx = new byte[BLOCK_SIZE];
        Le.put64(idx, NODE_BLOCKNR, index);
        long allocated = 0;
        for (int i = 0; i < nrBitmaps; i++) {
            byte[] d = new byte[BLOCK_SIZE];
            Le.put64(d, NODE_BLOCKNR, bitmaps[i]);
            int free = 0;
            int firstFree = -1;
            for (int k = 0; k < ENTRIES_PER_BITMAP; k++) {
                long b = (long) i * ENTRIES_PER_BITMAP + k;
                int v = b < nrBlocks ? Math.min(3, counts[(int) b]) : 0;
                if (v == 0) {
                    free++;
                    if (firstFree < 0) {
                        firstFree = k;
                    }
                    continue;
                }
                allocated++;
                int off = SM_BITMAP_HEADER_SIZE + 8 * (k / 32);
                int e = k % 32;
                long word = Le.u64(d, off) | (long) (v >> 1) << (2 * e) | (long) (v & 1) << (2 * e + 1);
                Le.put64(d, off, word);
            }
            write(bitmaps[i], d, BlockType.SM_BITMAP);
            int off = INDEX_ENTRIES_OFFSET + INDEX_ENTRY_SIZE * i;
            Le.put64(idx, off, bitmaps[i]);
            Le.put32(idx, off + 8, free);
            Le.put32(idx, off + 12, Math.max(firstFree, 0));
        }
        write(index, idx, BlockType.SM_INDEX);

        byte[] sb = new byte[BLOCK_SIZE];
        Le.put64(sb, SB_BLOCKNR, 0);
        Le.put64(sb, SB_MAGIC, SUPERBLOCK_MAGIC);
        Le.put32(sb, SB_VERSION, SUPERBLOCK_VERSION);
        Le.put64(sb, SB_SM_ROOT + SMR_NR_BLOCKS, nrBlocks);
        Le.put64(sb, SB_SM_ROOT + SMR_NR_ALLOCATED, allocated);
        Le.put64(sb, SB_SM_ROOT + SMR_BITMAP_ROOT, index);
        Le.put64(sb, SB_SM_ROOT + SMR_REF_COUNT_ROOT, refRoot);
        Le.put32(sb, SB_DATA_BLOCK_SIZE, dataBlockSize);
        Le.put32(sb, SB_METADATA_BLOCK_SIZE, METADATA_BLOCK_SECTORS);
        Le.put32(sb, SB_NR_BLOCKS, nrOrigin);
        Le.put32(sb, SB_CURRENT_ERA, currentEra);
        Le.put32(sb, SB_CURRENT_WS_NR_BITS, nrOrigin);
        Le.put64(sb, SB_WRITESET_TREE_ROOT, writesetTreeRoot);
        Le.put64(sb, SB_ERA_ARRAY_ROOT, eraArrayRoot);
        write(0, sb, BlockType.ERA_SUPERBLOCK);
        return img;
    }
}
