package org.eratestbed.model.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * vzalloc/vfree accounting for one simulated machine, so that a leak (defect 904e6b26: the in-core bitsets
 * were never freed on destroy or on resize errors) is a number a test can watch, not a guess.
 */
public final class Vmalloc {
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong liveAllocations = new AtomicLong();

    public void alloc(long bytes) {
        liveBytes.addAndGet(bytes);
        liveAllocations.incrementAndGet();
    }

    public void free(long bytes) {
        liveBytes.addAndGet(-bytes);
        liveAllocations.decrementAndGet();
    }

    public long liveBytes() {
        return liveBytes.get();
    }

    public long liveAllocations() {
        return liveAllocations.get();
    }
}
