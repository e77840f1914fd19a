package org.eratestbed.model.era.metadata;

import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.btree.Bug;

/**
 * struct writeset: the on-disk bitset's metadata and an in-core copy of its bits, which era_map reads
 * without touching the disk. Two of them exist per target; each era rollover switches between them.
 */
public final class Writeset {
    final WritesetMetadata md = new WritesetMetadata();
    private InCoreBits bits;

    public WritesetMetadata md() {
        return md;
    }

    public boolean allocated() {
        return bits != null;
    }

    /** What vzalloc was asked for the in-core bits (0 when not allocated). */
    long allocatedBytes() {
        return bits == null ? 0 : bits.allocatedBytes();
    }

    /** writeset_alloc: vzalloc the in-core bits for {@code nrBlocks}. */
    void alloc(long allocBytes, Vmalloc vmalloc) {
        bits = new InCoreBits(allocBytes);
        vmalloc.alloc(bits.allocatedBytes());
    }

    /** writeset_free: vfree the in-core bits (the on-disk bitset is freed by the digest). */
    void free(Vmalloc vmalloc) {
        if (bits != null) {
            vmalloc.free(bits.allocatedBytes());
            bits = null;
        }
    }

    /**
     * The in-core half of writeset_init: memset {@code bytes} of the bits to zero. On bits that were never
     * allocated (writeset_alloc runs in preresume's metadata_resize) the kernel's memset writes through a NULL
     * pointer unless it has nothing to write.
     */
    void clearIncore(long bytes) {
        if (bits == null) {
            Bug.on(bytes > 0, "kernel NULL pointer dereference: writeset_init memsets " + bytes
                    + " bytes of in-core writeset bits that were never allocated");
            return;
        }
        bits.clear();
    }

    /** writeset_marked: test_bit on the in-core bits (era_map's fast path). */
    public boolean marked(long block) {
        return bits.test(block);
    }

    /** set_bit on the in-core bits, once the on-disk bit is durable. */
    public void setIncore(long block) {
        bits.set(block);
    }

    /** test_and_set_bit on the in-core bits (the code before 2099b145). */
    boolean testAndSetIncore(long block) {
        return bits.testAndSet(block);
    }
}
