package org.eratestbed.model.pdata.bitset;

import org.eratestbed.model.pdata.array.ArrayInfo;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * struct dm_disk_bitset: the dm-array info of a bitset (le64 words, no value callbacks) plus the kernel's
 * one-word write-back cache. The cache remembers the index of the last word read and its bits, but
 * <b>not which bitset (root) it came from</b>: reading another bitset through the same info returns the
 * cached word while the word index matches. dm-era's digest reused one info for several writesets, and with
 * 64 or fewer blocks every bit lives in word 0, so every era after the first was digested with the first
 * era's word (fixed by 2524933307fd, which re-initialises the info per writeset).
 *
 * <p>{@link #init} is dm_disk_bitset_init: it forgets the cached word ({@code current_index_set = false})
 * and leaves {@code dirty}, {@code current_index} and {@code current_bits} as they were, so a dirty word
 * not flushed before a re-init is lost, as in the kernel.
 */
public final class DiskBitset {
    /** The bitset's array value type (bitset_bvt): le64 words with no callbacks. */
    public static final ValueType WORD_TYPE = ValueType.plain(8);

    private ArrayInfo arrayInfo;
    boolean currentIndexSet;
    int currentIndex;
    long currentBits;
    boolean dirty;

    /** An info as kzalloc'd and then dm_disk_bitset_init'ed. */
    public DiskBitset(TransactionManager tm) {
        init(tm);
    }

    /** dm_disk_bitset_init. */
    public void init(TransactionManager tm) {
        arrayInfo = new ArrayInfo(tm, WORD_TYPE);
        currentIndexSet = false;
    }

    public ArrayInfo arrayInfo() {
        return arrayInfo;
    }

    public boolean currentIndexSet() {
        return currentIndexSet;
    }

    /** The word index of the cached word (meaningful while {@link #currentIndexSet()}). */
    public int currentIndex() {
        return currentIndex;
    }

    public long currentBits() {
        return currentBits;
    }

    public boolean dirty() {
        return dirty;
    }
}
