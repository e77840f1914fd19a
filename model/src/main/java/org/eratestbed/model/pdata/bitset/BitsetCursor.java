package org.eratestbed.model.pdata.bitset;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.ArrayCursor;

/**
 * struct dm_bitset_cursor: walks {@code nrEntries} bits of a bitset through an array cursor, one word at a
 * time. It reads the stored words, never the info's write-back cache, so a dirty cached word is invisible to
 * it (flush first). {@link #next} and {@link #skip} return false where the kernel returns -ENODATA.
 */
public final class BitsetCursor implements AutoCloseable {
    private ArrayCursor cursor;
    private int entriesRemaining;
    private int arrayIndex;
    private int bitIndex;
    private long currentBits;

    private BitsetCursor() {
    }

    private static long word(byte[] v) {
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** dm_bitset_cursor_begin: positioned on bit 0; ENODATA for zero entries. */
    public static BitsetCursor begin(DiskBitset info, long root, int nrEntries) {
        if (nrEntries == 0) {
            throw new MetadataException(Errno.ENODATA, "no bits");
        }
        BitsetCursor c = new BitsetCursor();
        c.entriesRemaining = nrEntries;
        c.cursor = ArrayCursor.begin(info.arrayInfo(), root);
        c.arrayIndex = 0;
        c.bitIndex = 0;
        c.currentBits = word(c.cursor.value());
        return c;
    }

    /** dm_bitset_cursor_end. */
    public void end() {
        cursor.end();
    }

    @Override
    public void close() {
        end();
    }

    private boolean nextArrayEntry() {
        if (!cursor.next()) {
            return false;
        }
        arrayIndex++;
        bitIndex = 0;
        currentBits = word(cursor.value());
        return true;
    }

    /** dm_bitset_cursor_next. */
    public boolean next() {
        if (entriesRemaining == 0) {
            return false;
        }
        entriesRemaining--;
        if (++bitIndex > 63) {
            return nextArrayEntry();
        }
        return true;
    }

    /** dm_bitset_cursor_skip. */
    public boolean skip(int count) {
        int remainingInWord = 64 - bitIndex;
        if (entriesRemaining < count) {
            return false;
        }
        if (count < remainingInWord) {
            bitIndex += count;
            entriesRemaining -= count;
            return true;
        }
        entriesRemaining -= remainingInWord;
        count -= remainingInWord;
        int nrArraySkip = count / 64 + 1;
        if (!cursor.skip(nrArraySkip)) {
            return false;
        }
        entriesRemaining -= count;
        arrayIndex += nrArraySkip;
        bitIndex = count & 63;
        currentBits = word(cursor.value());
        return true;
    }

    /** dm_bitset_cursor_get_value: the current bit. */
    public boolean value() {
        return (currentBits & (1L << bitIndex)) != 0;
    }
}
