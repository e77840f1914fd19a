package org.eratestbed.model.pdata.block;

/**
 * Metadata I/O issued by a {@link BlockManager} so far: block reads, block writes and flushes (each one bio),
 * for benchmarks and for comparing the model's I/O pattern with the kernel's.
 */
public record IoStats(long reads, long writes, long flushes) {
    public long total() {
        return reads + writes + flushes;
    }

    public IoStats minus(IoStats earlier) {
        return new IoStats(reads - earlier.reads, writes - earlier.writes, flushes - earlier.flushes);
    }
}
