package org.eratestbed.model.pdata.bitset;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.array.RootMovedException;

/**
 * dm-bitset (persistent-data/dm-bitset.c): a bitset stored as a dm-array of le64 words; bit i is bit
 * (i % 64) of word i / 64, least significant bit first. Bit operations go through the info's one-word
 * write-back cache ({@link DiskBitset}): set/clear change only the cached word, which reaches the array
 * when another word is needed or on {@link #flush}.
 *
 * <p>Functions that take a root return the (possibly new) root, the kernel's {@code new_root}. When a
 * word had to be flushed before the operation failed, the kernel has already stored the new root; the model
 * then throws {@link RootMovedException} carrying it.
 */
public final class DmBitset {
    public static final int BITS_PER_ARRAY_ENTRY = 64;

    private DmBitset() {
    }

    private static void checkIndex(long i, String what) {
        if (i < 0) {
            throw new IllegalArgumentException(what + " must be a uint32 below 2^31: " + i);
        }
    }

    private static int divUp(int n, int d) {
        return (int) ((Integer.toUnsignedLong(n) + d - 1) / d);
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v).array();
    }

    /** dm_bitset_empty. */
    public static long empty(DiskBitset info) {
        return DmArray.empty(info.arrayInfo());
    }

    /** bit_value_fn of dm_bitset_new. */
    @FunctionalInterface
    public interface BitFn {
        boolean bit(int index);
    }

    /** dm_bitset_new: a bitset of {@code size} bits, packed 64 to a word by pack_bits. */
    public static long newBitset(DiskBitset info, int size, BitFn fn) {
        checkIndex(size, "size");
        return DmArray.newArray(info.arrayInfo(), divUp(size, 64), (index, data, offset) -> {
            int nr = Math.min(64, size - index * 64);
            long word = 0;
            for (int bit = 0; bit < nr; bit++) {
                if (fn.bit(index * 64 + bit)) {
                    word |= 1L << bit;
                }
            }
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, word);
        });
    }

    /**
     * dm_bitset_resize: resize the word array to ceil(bits / 64) words, new words all ones or all zeros.
     * Like the kernel it works in whole words: growing within the last word does not touch it, so bits
     * past the old size in that word keep whatever they held.
     */
    public static long resize(DiskBitset info, long root, int oldNrEntries, int newNrEntries, boolean defaultValue) {
        checkIndex(oldNrEntries, "old size");
        checkIndex(newNrEntries, "new size");
        int oldBlocks = divUp(oldNrEntries, BITS_PER_ARRAY_ENTRY);
        int newBlocks = divUp(newNrEntries, BITS_PER_ARRAY_ENTRY);
        return DmArray.resize(info.arrayInfo(), root, oldBlocks, newBlocks, le64(defaultValue ? ~0L : 0L));
    }

    /** dm_bitset_del. The cache is not touched. */
    public static void del(DiskBitset info, long root) {
        DmArray.del(info.arrayInfo(), root);
    }

    /**
     * dm_bitset_flush: write a dirty cached word back into the bitset at {@code root}, whichever bitset the
     * word was read from, and forget it. Nothing to do (root returned unchanged) when no word is cached or it
     * is clean.
     */
    public static long flush(DiskBitset info, long root) {
        if (!info.currentIndexSet || !info.dirty) {
            return root;
        }
        long newRoot = DmArray.setValue(info.arrayInfo(), root, info.currentIndex, le64(info.currentBits));
        info.currentIndexSet = false;
        info.dirty = false;
        return newRoot;
    }

    /** read_bits: load word {@code arrayIndex} of the bitset at {@code root} into the cache. */
    private static void readBits(DiskBitset info, long root, int arrayIndex) {
        byte[] value = DmArray.getValue(info.arrayInfo(), root, arrayIndex);
        info.currentBits = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        info.currentIndexSet = true;
        info.currentIndex = arrayIndex;
        info.dirty = false;
    }

    /**
     * get_array_entry: make word index / 64 the cached one. A cached word with the same index is used as it
     * is, whatever root it came from. Otherwise the cached word is flushed (into {@code root}) and the word is
     * read from {@code root} as it was passed in, not from the root the flush returned.
     */
    private static long getArrayEntry(DiskBitset info, long root, int index) {
        int arrayIndex = index / BITS_PER_ARRAY_ENTRY;
        long newRoot = root;
        if (info.currentIndexSet) {
            if (info.currentIndex == arrayIndex) {
                return root;
            }
            newRoot = flush(info, root);
        }
        try {
            readBits(info, root, arrayIndex);
        } catch (MetadataException e) {
            if (newRoot != root) {
                throw new RootMovedException(e, newRoot);
            }
            throw e;
        }
        return newRoot;
    }

    /** dm_bitset_set_bit: sets the bit in the cached word and marks it dirty. */
    public static long setBit(DiskBitset info, long root, int index) {
        checkIndex(index, "bit");
        long newRoot = getArrayEntry(info, root, index);
        info.currentBits |= 1L << (index % BITS_PER_ARRAY_ENTRY);
        info.dirty = true;
        return newRoot;
    }

    /** dm_bitset_clear_bit. */
    public static long clearBit(DiskBitset info, long root, int index) {
        checkIndex(index, "bit");
        long newRoot = getArrayEntry(info, root, index);
        info.currentBits &= ~(1L << (index % BITS_PER_ARRAY_ENTRY));
        info.dirty = true;
        return newRoot;
    }

    /** The result of {@link #testBit}: the bit, and the root (new if a dirty word had to be flushed). */
    public record TestBit(boolean value, long newRoot) {
    }

    /** dm_bitset_test_bit: the bit as the cache sees it. */
    public static TestBit testBit(DiskBitset info, long root, int index) {
        checkIndex(index, "bit");
        long newRoot = getArrayEntry(info, root, index);
        return new TestBit((info.currentBits & (1L << (index % BITS_PER_ARRAY_ENTRY))) != 0, newRoot);
    }
}
