package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;

/**
 * Walks a dm-array (era array, bitset words): its index btree (key = array block index, value = le64 block)
 * and every array block in index order, checking that the array is fully populated (keys 0..n-1), that every
 * block but the last is full, and each block's header (checksum, blocknr, value_size, max_entries).
 * Array blocks may be shared (the transaction manager allows it); only btree nodes must be unique per walk.
 */
public final class ArrayWalker {
    /** Visits one checked array block; entries {@code [0, nrEntries)} are the array's. */
    public interface BlockVisitor {
        void arrayBlock(long index, long block, byte[] data, int nrEntries);
    }

    private final MetadataReader reader;
    private final BtreeWalker.ProblemSink sink;
    private final RefCounts refs;

    public ArrayWalker(MetadataReader reader, BtreeWalker.ProblemSink sink, RefCounts refs) {
        this.reader = reader;
        this.sink = sink;
        this.refs = refs;
    }

    /**
     * @param expectedEntries the array's length as its owner records it (nr_blocks, or the words of nr_bits)
     */
    public void walk(long root, String name, int valueSize, long expectedEntries, BlockVisitor v) {
        int maxEntries = arrayMaxEntries(valueSize);
        long nrAblocks = (expectedEntries + maxEntries - 1) / maxEntries;
        long[] next = {0};
        String ablockName = name + " array block";
        new BtreeWalker(reader, sink, refs).walk(root, name + " index", 8, (key, leaf, off, leafBlock, counting) -> {
            long ab = Le.u64(leaf, off);
            if (counting && refs != null) {
                refs.add(ab);
            }
            if (key != next[0]) {
                sink.problem(new MetadataException(Errno.ENODATA, "block " + leafBlock + ": " + name + " index: key "
                        + Le.u64String(key) + " where array block " + next[0] + " was expected (array blocks "
                        + next[0] + ".." + (key - 1) + " missing)"), true);
            }
            next[0] = key + 1;
            if (Long.compareUnsigned(key, nrAblocks) >= 0) {
                sink.problem(new MetadataException(Errno.EINVAL, "block " + leafBlock + ": " + name + " index: array block "
                        + Le.u64String(key) + " beyond the array's " + nrAblocks + " blocks (" + expectedEntries
                        + " entries)"), true);
                return;
            }
            long wantNr = key + 1 < nrAblocks ? maxEntries : expectedEntries - key * maxEntries;
            byte[] data;
            try {
                data = reader.checked(ab, BlockType.ARRAY_BLOCK, ablockName, key);
            } catch (MetadataException e) {
                sink.problem(e, true);
                return;
            }
            long vs = Le.u32(data, AB_VALUE_SIZE);
            long max = Le.u32(data, AB_MAX_ENTRIES);
            long nr = Le.u32(data, AB_NR_ENTRIES);
            if (vs != valueSize || max != maxEntries || nr != wantNr) {
                headerProblems(ab, key, name, valueSize, maxEntries, nrAblocks, expectedEntries, wantNr, vs, max, nr);
            }
            if (vs != valueSize || max != maxEntries || nr > max) {
                return;
            }
            v.arrayBlock(key, ab, data, (int) Math.min(nr, wantNr));
        });
        if (next[0] < nrAblocks) {
            sink.problem(new MetadataException(Errno.ENODATA, "block " + root + ": " + name + ": only " + next[0]
                    + " of " + nrAblocks + " array blocks present (" + expectedEntries + " entries expected)"), true);
        }
    }

    private void headerProblems(long ab, long key, String name, int valueSize, int maxEntries, long nrAblocks,
            long expectedEntries, long wantNr, long vs, long max, long nr) {
        String what = "block " + ab + ": " + name + " array block " + key + ": ";
        if (vs != valueSize) {
            sink.problem(new MetadataException(Errno.EILSEQ, what + "value_size " + vs + ", expected " + valueSize), true);
        } else if (max != maxEntries) {
            sink.problem(new MetadataException(Errno.EILSEQ, what + "max_entries " + max + ", expected " + maxEntries), true);
        } else if (nr != wantNr) {
            sink.problem(new MetadataException(Errno.EILSEQ, what + "nr_entries " + nr + ", expected " + wantNr
                    + (key + 1 < nrAblocks ? " (every array block but the last is full)"
                            : " (the last block holds the rest of " + expectedEntries + " entries)")), true);
        }
    }
}
