package org.eratestbed.model.pdata.btree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * struct dm_btree_value_type: the size of a leaf value and the callbacks the btree calls when it copies,
 * overwrites or drops values. Any callback may be null, and null changes behaviour exactly as in the kernel
 * (for example an overwrite calls {@code dec} on the old value when there is no {@code equal}).
 *
 * <p>Callbacks see the raw bytes in place: {@code data[offset..]} holds {@code count} consecutive values of
 * {@link #size()} bytes (the kernel's {@code (context, value_le, count)} form since 5.14).
 *
 * @param size  bytes per value as stored in a leaf
 * @param inc   called when values gain a referencing node (a shared node was copied); may be null
 * @param dec   called when values lose one (overwritten, removed, node freed); may be null
 * @param equal decides whether an overwrite replaces a value by an equal one; may be null
 */
public record ValueType(int size, RefCallback inc, RefCallback dec, Equal equal) {

    /** inc/dec: {@code count} values of {@code size} bytes starting at {@code data[offset]}. */
    @FunctionalInterface
    public interface RefCallback {
        void apply(byte[] data, int offset, int count);
    }

    /**
     * equal(value1, value2): value1 is the value stored in the node (its whole block image, so a comparison
     * may read past the value as the kernel's memcmp would); value2 is the caller's buffer given to insert.
     */
    @FunctionalInterface
    public interface Equal {
        boolean equal(byte[] v1, int off1, byte[] v2, int off2);
    }

    public ValueType {
        if (size <= 0) {
            throw new IllegalArgumentException("value size must be positive: " + size);
        }
    }

    public boolean hasInc() {
        return inc != null;
    }

    public boolean hasDec() {
        return dec != null;
    }

    public boolean hasEqual() {
        return equal != null;
    }

    /**
     * An {@code equal} that memcmp's {@code length} bytes. The length is a parameter, not the value size,
     * because the writeset tree's ws_eq compared 16 bytes of a 12-byte value before 64f2d15afe7b: with
     * length 16 the comparison also reads the 4 bytes after the stored value (the next slot, or the zero tail
     * of the node) and the 4 bytes after the caller's value, so the caller's buffer must be that long.
     */
    public static Equal memcmp(int length) {
        return (v1, off1, v2, off2) -> {
            if (off1 + length > v1.length || off2 + length > v2.length) {
                throw new IllegalArgumentException("equal compares " + length
                        + " bytes; a value buffer is shorter than that");
            }
            return Arrays.equals(v1, off1, off1 + length, v2, off2, off2 + length);
        };
    }

    /** A value type with no callbacks (the era array's le32, a bitset's le64 words). */
    public static ValueType plain(int size) {
        return new ValueType(size, null, null, null);
    }

    /**
     * init_le64_type (dm-btree-spine.c): the value type of the upper levels of a multi-level tree, whose
     * values are block numbers of subtrees ref-counted through the transaction manager.
     */
    public static ValueType le64(TransactionManager tm) {
        return new ValueType(8,
                (data, offset, count) -> forEachLe64(data, offset, count, tm::inc),
                (data, offset, count) -> forEachLe64(data, offset, count, tm::dec),
                memcmp(8));
    }

    /** Calls {@code fn} with each of {@code count} le64 block numbers at {@code data[offset..]}, in order. */
    public static void forEachLe64(byte[] data, int offset, int count, java.util.function.LongConsumer fn) {
        ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            fn.accept(le.getLong(offset + 8 * i));
        }
    }
}
