package org.eratestbed.model.pdata.sm;

import java.nio.ByteBuffer;

/**
 * The 2-bit-per-block bitmap inside a space-map bitmap block (after its 16-byte {@code disk_bitmap_header}):
 * 16320 entries per 4 KiB block, 32 entries per le64 word. Entry {@code e} of a word is its bits 2e (the
 * high bit of the value) and 2e+1 (the low bit), as the kernel's sm_lookup_bitmap / sm_set_bitmap read them
 * with test_bit_le. Values: 0 free, 1, 2, and 3 = "the count is in the ref-count btree".
 */
public final class Bitmap {
    public static final int HEADER_SIZE = 16;
    public static final int ENTRIES_PER_BYTE = 4;
    public static final int ENTRIES_PER_WORD = 32;

    private Bitmap() {
    }

    /** Entries one bitmap block of {@code blockSize} bytes holds. */
    public static int entriesPerBlock(int blockSize) {
        return (blockSize - HEADER_SIZE) * ENTRIES_PER_BYTE;
    }

    private static int wordOffset(int entry) {
        return HEADER_SIZE + 8 * (entry / ENTRIES_PER_WORD);
    }

    /** sm_lookup_bitmap. */
    public static int lookup(ByteBuffer le, int entry) {
        long word = le.getLong(wordOffset(entry));
        int bit = (entry % ENTRIES_PER_WORD) << 1;
        int hi = (int) (word >>> bit) & 1;
        int lo = (int) (word >>> (bit + 1)) & 1;
        return (hi << 1) | lo;
    }

    /** sm_set_bitmap. */
    public static void set(ByteBuffer le, int entry, int value) {
        int off = wordOffset(entry);
        long word = le.getLong(off);
        int bit = (entry % ENTRIES_PER_WORD) << 1;
        word = (value & 2) != 0 ? word | (1L << bit) : word & ~(1L << bit);
        word = (value & 1) != 0 ? word | (1L << (bit + 1)) : word & ~(1L << (bit + 1));
        le.putLong(off, word);
    }

    /** dm_bitmap_word_used: every entry of the word holding {@code entry} is non-zero. */
    static boolean wordUsed(ByteBuffer le, int entry) {
        long bits = le.getLong(wordOffset(entry));
        long highMask = 0xAAAAAAAAAAAAAAAAL;
        long mask = (bits + highMask + 1) & highMask;
        return (~bits & mask) == 0;
    }

    /** sm_find_free: the first free entry in [begin, end), skipping full aligned words; -1 for none (-ENOSPC). */
    public static int findFree(ByteBuffer le, int begin, int end) {
        while (begin < end) {
            if ((begin & (ENTRIES_PER_WORD - 1)) == 0 && wordUsed(le, begin)) {
                begin += ENTRIES_PER_WORD;
                continue;
            }
            if (lookup(le, begin) == 0) {
                return begin;
            }
            begin++;
        }
        return -1;
    }
}
