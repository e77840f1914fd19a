package org.eratestbed.model.pdata.btree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.block.Block;

/**
 * A view of one btree node's bytes (dm-btree-internal.h {@code struct btree_node}):
 * <pre>
 *   0 le32 csum      4 le32 flags (1 INTERNAL, 2 LEAF)   8 le64 blocknr
 *  16 le32 nr_entries  20 le32 max_entries  24 le32 value_size  28 le32 padding
 *  32 le64 keys[max_entries], then values[max_entries] of value_size bytes
 * </pre>
 * Every method works on the bytes in place, so the stale slots the kernel leaves behind (after a delete, a
 * split or a shrink of the header's max_entries) stay exactly as the kernel leaves them.
 */
public final class BTreeNode {
    public static final int INTERNAL_NODE = 1;
    public static final int LEAF_NODE = 1 << 1;

    public static final int HEADER_SIZE = 32;
    public static final int OFF_CSUM = 0;
    public static final int OFF_FLAGS = 4;
    public static final int OFF_BLOCKNR = 8;
    public static final int OFF_NR_ENTRIES = 16;
    public static final int OFF_MAX_ENTRIES = 20;
    public static final int OFF_VALUE_SIZE = 24;
    public static final int OFF_PADDING = 28;
    public static final int KEY_SIZE = 8;

    private final byte[] data;
    private final ByteBuffer le;

    public BTreeNode(Block block) {
        this(block.data());
    }

    public BTreeNode(byte[] data) {
        this.data = data;
        this.le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public byte[] data() {
        return data;
    }

    /**
     * calc_max_entries: the largest multiple of three that fits; "3n works more nicely for repeated insert
     * remove loops than 2n + 1" (dm-btree.c). 252 for 8-byte values, 201 for 12, 336 for 4.
     */
    public static int calcMaxEntries(int valueSize, int blockSize) {
        int total = (blockSize - HEADER_SIZE) / (KEY_SIZE + valueSize);
        return 3 * (total / 3);
    }

    public int csum() {
        return le.getInt(OFF_CSUM);
    }

    public int flags() {
        return le.getInt(OFF_FLAGS);
    }

    public void setFlags(int flags) {
        le.putInt(OFF_FLAGS, flags);
    }

    public boolean isInternal() {
        return (flags() & INTERNAL_NODE) != 0;
    }

    public boolean isLeaf() {
        return (flags() & LEAF_NODE) != 0;
    }

    public long blocknr() {
        return le.getLong(OFF_BLOCKNR);
    }

    public int nrEntries() {
        return le.getInt(OFF_NR_ENTRIES);
    }

    public void setNrEntries(int nr) {
        le.putInt(OFF_NR_ENTRIES, nr);
    }

    public int maxEntries() {
        return le.getInt(OFF_MAX_ENTRIES);
    }

    public void setMaxEntries(int max) {
        le.putInt(OFF_MAX_ENTRIES, max);
    }

    public int valueSize() {
        return le.getInt(OFF_VALUE_SIZE);
    }

    public void setValueSize(int size) {
        le.putInt(OFF_VALUE_SIZE, size);
    }

    /** key_ptr as a byte offset. */
    public static int keyOffset(int index) {
        return HEADER_SIZE + KEY_SIZE * index;
    }

    public long key(int index) {
        return le.getLong(keyOffset(index));
    }

    public void setKey(int index, long key) {
        le.putLong(keyOffset(index), key);
    }

    /** value_base: the values start right after max_entries keys. */
    public int valueBase() {
        return HEADER_SIZE + KEY_SIZE * maxEntries();
    }

    /** value_ptr as a byte offset: uses the node's own value_size. */
    public int valueOffset(int index) {
        return valueBase() + valueSize() * index;
    }

    /** value64: the index-th le64 after value_base, whatever value_size says (as the kernel does). */
    public long value64(int index) {
        return le.getLong(valueBase() + 8 * index);
    }

    /** Stores a le64 at value_ptr(index), the kernel's {@code *(__le64 *) value_ptr(n, i) = ...}. */
    public void setValuePtr64(int index, long value) {
        le.putLong(valueOffset(index), value);
    }

    /** A copy of the index-th value (value_size bytes). */
    public byte[] value(int index) {
        byte[] v = new byte[valueSize()];
        System.arraycopy(data, valueOffset(index), v, 0, v.length);
        return v;
    }

    /**
     * bsearch "makes the assumption that no two keys are the same". Keys compare as u64. Returns the index
     * of an equal key, else lo (the last key below) or hi (the first key above) as {@code wantHi} says.
     */
    private int bsearch(long key, boolean wantHi) {
        int lo = -1;
        int hi = nrEntries();
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            long midKey = key(mid);
            if (midKey == key) {
                return mid;
            }
            if (Long.compareUnsigned(midKey, key) < 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return wantHi ? hi : lo;
    }

    public int lowerBound(long key) {
        return bsearch(key, false);
    }

    public int upperBound(long key) {
        return bsearch(key, true);
    }

    /** Copies the whole block image of {@code src} over this node (the kernel's memcpy of a node). */
    public void copyFrom(BTreeNode src) {
        System.arraycopy(src.data, 0, data, 0, data.length);
    }
}
