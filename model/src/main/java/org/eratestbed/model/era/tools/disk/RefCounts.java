package org.eratestbed.model.era.tools.disk;

import java.util.BitSet;

/**
 * The reference count every metadata block should have, counted as the transaction manager counts them:
 * one per pointer held by a block, each block's pointers counted once however many paths reach it (a
 * subtree shared by the live and the snapshot superblock is counted once per parent block).
 */
public final class RefCounts {
    private final int limit;
    private final int[] counts;
    private final BitSet claimed;

    public RefCounts(long limit) {
        this.limit = (int) Math.min(limit, Integer.MAX_VALUE);
        this.counts = new int[this.limit];
        this.claimed = new BitSet(this.limit);
    }

    /** One more pointer to {@code block}; pointers that cannot be followed are reported by the walk that meets them. */
    public void add(long block) {
        if (block >= 0 && block < limit && counts[(int) block] != Integer.MAX_VALUE) {
            counts[(int) block]++;
        }
    }

    /** True the first time a block's own pointers are to be counted, false when another path already did. */
    public boolean claim(long block) {
        if (block < 0 || block >= limit || claimed.get((int) block)) {
            return false;
        }
        claimed.set((int) block);
        return true;
    }

    public int count(long block) {
        return block >= 0 && block < limit ? counts[(int) block] : 0;
    }

    public long limit() {
        return limit;
    }
}
