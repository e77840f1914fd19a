package org.eratestbed.model.era.metadata;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-core copy of a writeset's bits (the kernel's {@code unsigned long *bits}, vzalloc'd with
 * {@code bitset_size(nr_bits)} bytes). Pages are allocated on first write, so a writeset for 2^31 blocks
 * costs nothing until blocks are written; the kernel's two ~256 MiB vzallocs are not reproduced in memory,
 * only in {@link #allocatedBytes()} for the leak accounting of defect 904e6b26.
 *
 * <p>The kernel indexes these bits with {@code test_bit(int nr, ...)} on a {@code size_t}-sized buffer. Both
 * limits are kept: an index beyond the allocation is an out-of-bounds access in the kernel (review points
 * M11, signed index, and M12, {@code bitset_size} overflow) and here throws {@link OutOfBoundsAccess} — the
 * Java form of the memory corruption — instead of silently growing.
 */
public final class InCoreBits {
    private static final int PAGE_WORDS = 4096;
    private final long allocatedWords;
    private final Map<Long, long[]> pages = new HashMap<>();

    /** A kernel memory access outside the vzalloc'd buffer. */
    public static final class OutOfBoundsAccess extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfBoundsAccess(String message) {
            super(message);
        }
    }

    /** @param allocatedBytes what vzalloc was asked for */
    public InCoreBits(long allocatedBytes) {
        this.allocatedWords = allocatedBytes / Long.BYTES;
    }

    /** bitset_size(nr_bits) as the kernel computes it: {@code sizeof(long) * dm_div_up(nr_bits, BITS_PER_LONG)}. */
    public static long bitsetSize(long nrBits) {
        return Long.BYTES * ((nrBits + 63) / 64);
    }

    /**
     * bitset_size with the review's overflow (M12): {@code nr_bits} is an {@code unsigned int}, so
     * {@code nr_bits + 63} wraps at 2^32 and a huge writeset gets a tiny buffer.
     */
    public static long bitsetSizeUnchecked32(long nrBits) {
        long n = nrBits & 0xFFFF_FFFFL;
        long divUp = ((n + 63) & 0xFFFF_FFFFL) / 64;
        return (Long.BYTES * divUp) & 0xFFFF_FFFFL;
    }

    public long allocatedBytes() {
        return allocatedWords * Long.BYTES;
    }

    public boolean test(long bit) {
        long[] page = pages.get(pageOf(bit));
        return page != null && (page[wordInPage(bit)] & mask(bit)) != 0;
    }

    public void set(long bit) {
        pages.computeIfAbsent(pageOf(bit), k -> new long[PAGE_WORDS])[wordInPage(bit)] |= mask(bit);
    }

    /** test_and_set_bit: returns the old value. */
    public boolean testAndSet(long bit) {
        long[] page = pages.computeIfAbsent(pageOf(bit), k -> new long[PAGE_WORDS]);
        int w = wordInPage(bit);
        boolean old = (page[w] & mask(bit)) != 0;
        page[w] |= mask(bit);
        return old;
    }

    /** memset(bits, 0, ...). */
    public void clear() {
        pages.clear();
    }

    private long pageOf(long bit) {
        long word = bit >> 6;
        if (bit < 0 || word >= allocatedWords) {
            throw new OutOfBoundsAccess("bit " + bit + " outside an in-core bitset of " + allocatedWords + " words");
        }
        return word / PAGE_WORDS;
    }

    private static int wordInPage(long bit) {
        return (int) ((bit >> 6) % PAGE_WORDS);
    }

    private static long mask(long bit) {
        return 1L << (bit & 63);
    }
}
