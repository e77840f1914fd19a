package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;

/**
 * Random access to one dm-array by entry index, as dm_array_get_value does it: a btree lookup of the array
 * block, then the slot. Strict: any damage on the way is a MetadataException. The last array block is
 * cached, so a scan in index order reads each block once.
 */
public final class ArrayReader {
    private final MetadataReader reader;
    private final long root;
    private final String name;
    private final int valueSize;
    private final int maxEntries;
    private final long nrEntries;
    private long cachedIndex = -1;
    private byte[] cached;
    private long cachedMax;
    private final String nodeName;
    private final String ablockName;
    /** Largest value per array block location (direct-mapped): shared blocks are summarised once. */
    private long[] maxTag;
    private long[] maxOf;

    public ArrayReader(MetadataReader reader, long root, String name, int valueSize, long nrEntries) {
        this.reader = reader;
        this.root = root;
        this.name = name;
        this.valueSize = valueSize;
        this.maxEntries = arrayMaxEntries(valueSize);
        this.nrEntries = nrEntries;
        this.nodeName = name + " index node";
        this.ablockName = name + " array block";
        if (valueSize == 4) {
            // only le32 arrays (the era array) are summarised; one reader per writeset must stay small
            maxTag = new long[1024];
            maxOf = new long[1024];
            java.util.Arrays.fill(maxTag, -1);
        }
    }

    public int maxEntries() {
        return maxEntries;
    }

    public long nrEntries() {
        return nrEntries;
    }

    /** Entry {@code i} of an array of le32 values. */
    public long u32(long i) {
        byte[] ab = ablockFor(i);
        return Le.u32(ab, AB_HEADER_SIZE + valueSize * (int) (i % maxEntries));
    }

    /** Entry {@code i} of an array of le64 values (a bitset word). */
    public long u64(long i) {
        byte[] ab = ablockFor(i);
        return Le.u64(ab, AB_HEADER_SIZE + valueSize * (int) (i % maxEntries));
    }

    /**
     * The largest le32 value in the array block holding entry {@code i} (all of its entries, so a bound
     * for the entries of this array in it), letting scans skip blocks that hold nothing of interest.
     */
    public long maxU32InBlockOf(long i) {
        ablockFor(i);
        return cachedMax;
    }

    private byte[] ablockFor(long i) {
        if (i < 0 || i >= nrEntries) {
            throw new MetadataException(Errno.EINVAL, name + ": entry " + i + " outside the array's " + nrEntries + " entries");
        }
        long index = i / maxEntries;
        if (index != cachedIndex) {
            cached = null;
            cached = load(index);
            cachedIndex = index;
        }
        return cached;
    }

    private byte[] load(long index) {
        long block = root;
        for (int depth = 0; ; depth++) {
            if (depth >= MAX_BTREE_DEPTH) {
                throw new MetadataException(Errno.EILSEQ, "block " + root + ": " + name + " index: deeper than "
                        + MAX_BTREE_DEPTH + " levels (a cycle?)");
            }
            byte[] node = reader.checked(block, BlockType.BTREE_NODE, nodeName);
            long flags = Le.u32(node, NODE_FLAGS);
            long nr = Le.u32(node, NODE_NR_ENTRIES);
            long max = Le.u32(node, NODE_MAX_ENTRIES);
            long vs = Le.u32(node, NODE_VALUE_SIZE);
            if ((flags != INTERNAL_NODE && flags != LEAF_NODE) || vs != 8 || nr > max
                    || NODE_HEADER_SIZE + (8 + vs) * max > BLOCK_SIZE) {
                throw new MetadataException(Errno.EILSEQ, "block " + block + ": " + nodeName + ": bad header (flags " + flags + ", nr_entries " + nr
                        + ", max_entries " + max + ", value_size " + vs + ")");
            }
            int valuesOffset = NODE_HEADER_SIZE + 8 * (int) max;
            // the last key <= index: lower_bound as in dm-btree.c
            int lo = -1;
            int hi = (int) nr;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(Le.u64(node, NODE_HEADER_SIZE + 8 * mid), index) <= 0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            if (flags == LEAF_NODE) {
                if (lo < 0 || Le.u64(node, NODE_HEADER_SIZE + 8 * lo) != index) {
                    throw new MetadataException(Errno.ENODATA, "block " + block + ": " + nodeName + ": array block " + index
                            + " missing from the index");
                }
                long ab = Le.u64(node, valuesOffset + 8 * lo);
                byte[] data = checkAblock(ab, index);
                if (valueSize == 4) {
                    int slot = (int) (ab % maxTag.length);
                    if (maxTag[slot] != ab) {
                        long top = 0;
                        int entries = (int) Le.u32(data, AB_NR_ENTRIES);
                        for (int k = 0; k < entries; k++) {
                            top = Math.max(top, Le.u32(data, AB_HEADER_SIZE + 4 * k));
                        }
                        maxTag[slot] = ab;
                        maxOf[slot] = top;
                    }
                    cachedMax = maxOf[slot];
                }
                return data;
            }
            if (lo < 0) {
                throw new MetadataException(Errno.ENODATA, "block " + block + ": " + nodeName + ": array block " + index
                        + " below the lowest key");
            }
            block = Le.u64(node, valuesOffset + 8 * lo);
        }
    }

    private byte[] checkAblock(long ab, long index) {
        byte[] data = reader.checked(ab, BlockType.ARRAY_BLOCK, ablockName, index);
        long vs = Le.u32(data, AB_VALUE_SIZE);
        long max = Le.u32(data, AB_MAX_ENTRIES);
        long nr = Le.u32(data, AB_NR_ENTRIES);
        long need = Math.min(maxEntries, nrEntries - index * maxEntries);
        if (vs != valueSize || max != maxEntries || nr < need || nr > max) {
            throw new MetadataException(Errno.EILSEQ, "block " + ab + ": " + name + " array block " + index
                    + ": bad header (value_size " + vs + ", max_entries " + max + ", nr_entries " + nr + "; expected "
                    + valueSize + ", " + maxEntries + ", " + need + ")");
        }
        return data;
    }
}
