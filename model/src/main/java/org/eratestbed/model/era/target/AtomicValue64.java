package org.eratestbed.model.era.target;

/**
 * The fixed form of {@link Value64}: a volatile long, which the Java memory model reads and writes as one
 * atomic 64-bit access on every platform (JLS 17.7) and publishes to other threads — what the merged code
 * gets by keeping the era a {@code u32} and reading stats inside the worker.
 */
public final class AtomicValue64 extends Value64 {
    private volatile long value;

    public AtomicValue64(long initial) {
        value = initial;
    }

    @Override
    public long get() {
        return value;
    }

    @Override
    public void set(long v) {
        value = v;
    }
}
