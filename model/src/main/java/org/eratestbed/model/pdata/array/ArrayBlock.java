package org.eratestbed.model.pdata.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.block.Block;

/**
 * A view of one dm-array block (dm-array.c {@code struct array_block}, packed):
 * <pre>
 *   0 le32 csum   4 le32 max_entries   8 le32 nr_entries   12 le32 value_size   16 le64 blocknr
 *  24 values[max_entries] of value_size bytes, packed
 * </pre>
 * Note the field order differs from a btree node's (blocknr last, at 16).
 */
public final class ArrayBlock {
    public static final int HEADER_SIZE = 24;
    public static final int OFF_CSUM = 0;
    public static final int OFF_MAX_ENTRIES = 4;
    public static final int OFF_NR_ENTRIES = 8;
    public static final int OFF_VALUE_SIZE = 12;
    public static final int OFF_BLOCKNR = 16;

    private final byte[] data;
    private final ByteBuffer le;

    public ArrayBlock(Block block) {
        this(block.data());
    }

    public ArrayBlock(byte[] data) {
        this.data = data;
        this.le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** calc_max_entries: 1018 for le32 values, 509 for le64. */
    public static int calcMaxEntries(int valueSize, int blockSize) {
        return (blockSize - HEADER_SIZE) / valueSize;
    }

    public byte[] data() {
        return data;
    }

    public int csum() {
        return le.getInt(OFF_CSUM);
    }

    public int maxEntries() {
        return le.getInt(OFF_MAX_ENTRIES);
    }

    void setMaxEntries(int max) {
        le.putInt(OFF_MAX_ENTRIES, max);
    }

    public int nrEntries() {
        return le.getInt(OFF_NR_ENTRIES);
    }

    void setNrEntries(int nr) {
        le.putInt(OFF_NR_ENTRIES, nr);
    }

    public int valueSize() {
        return le.getInt(OFF_VALUE_SIZE);
    }

    void setValueSize(int size) {
        le.putInt(OFF_VALUE_SIZE, size);
    }

    public long blocknr() {
        return le.getLong(OFF_BLOCKNR);
    }

    /**
     * element_at as a byte offset, computed with the value size the array was opened with (the kernel
     * uses info->value_type.size, not the block's header). May point into the header for index -1, as the
     * kernel's trim_ablock does.
     */
    public static int elementOffset(int valueSize, int index) {
        return HEADER_SIZE + index * valueSize;
    }
}
