package org.eratestbed.model.era.metadata;

/** struct writeset_metadata: a writeset's size and the root of its on-disk bitset (0 = none). */
public final class WritesetMetadata {
    /** INVALID_WRITESET_ROOT = SUPERBLOCK_LOCATION: no on-disk bitset. */
    public static final long INVALID_WRITESET_ROOT = 0;

    long nrBits;
    long root = INVALID_WRITESET_ROOT;

    public WritesetMetadata() {
    }

    public WritesetMetadata(long nrBits, long root) {
        this.nrBits = nrBits;
        this.root = root;
    }

    public long nrBits() {
        return nrBits;
    }

    public long root() {
        return root;
    }

    public boolean valid() {
        return root != INVALID_WRITESET_ROOT;
    }

    @Override
    public String toString() {
        return "{nr_bits " + nrBits + ", root " + root + "}";
    }
}
