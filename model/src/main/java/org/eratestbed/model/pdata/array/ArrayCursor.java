package org.eratestbed.model.pdata.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.btree.BTreeCursor;

/**
 * struct dm_array_cursor: walks the elements in index order, holding the current array block read-locked
 * and a btree cursor over the array blocks. {@link #next} and {@link #skip} return false where the kernel
 * returns -ENODATA.
 */
public final class ArrayCursor implements AutoCloseable {
    private final ArrayInfo info;
    private BTreeCursor cursor;
    private Block block;
    private ArrayBlock ab;
    private int index;

    private ArrayCursor(ArrayInfo info) {
        this.info = info;
    }

    /** dm_array_cursor_begin: positioned on element 0; ENODATA for an empty array. */
    public static ArrayCursor begin(ArrayInfo info, long root) {
        ArrayCursor c = new ArrayCursor(info);
        c.cursor = BTreeCursor.begin(info.btreeInfo(), root, true);
        c.loadAblock();
        return c;
    }

    /** load_ablock: lock the array block the btree cursor points at; on failure end the btree cursor. */
    private void loadAblock() {
        if (block != null) {
            info.tm().unlock(block);
            block = null;
        }
        index = 0;
        try {
            long b = ByteBuffer.wrap(cursor.value()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            block = info.tm().readLock(b, ArrayBlockValidator.INSTANCE);
            ab = new ArrayBlock(block);
        } catch (MetadataException e) {
            cursor.end();
            block = null;
            ab = null;
            throw e;
        }
    }

    /** dm_array_cursor_end. */
    public void end() {
        if (block != null) {
            info.tm().unlock(block);
            block = null;
        }
        cursor.end();
    }

    @Override
    public void close() {
        end();
    }

    /** dm_array_cursor_next: false past the last element (the last block stays locked until end). */
    public boolean next() {
        if (block == null) {
            return false;
        }
        index++;
        if (index >= ab.nrEntries()) {
            if (!cursor.next()) {
                return false;
            }
            loadAblock();
        }
        return true;
    }

    /** dm_array_cursor_skip. */
    public boolean skip(int count) {
        for (;;) {
            int remaining = ab.nrEntries() - index;
            if (count < remaining) {
                index += count;
                return true;
            }
            count -= remaining;
            index += remaining - 1;
            if (!next()) {
                return false;
            }
        }
    }

    /** dm_array_cursor_get_value: a copy of the current element. */
    public byte[] value() {
        int size = info.valueType().size();
        byte[] v = new byte[size];
        System.arraycopy(ab.data(), ArrayBlock.elementOffset(size, index), v, 0, size);
        return v;
    }
}
