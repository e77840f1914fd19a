package org.eratestbed.model.era.tools.disk;

/**
 * Read-only random access to a metadata image by 4 KiB block. The readers never load an image whole: a
 * multi-GiB sparse image costs only the blocks they touch.
 */
public interface BlockSource extends AutoCloseable {
    int BLOCK_SIZE = 4096;

    /** Whole 4 KiB blocks in the image; a partial tail block is not addressable (the kernel's bufio ignores it too). */
    long nrBlocks();

    /**
     * Copies block {@code block} into {@code dst} (4096 bytes).
     *
     * @throws org.eratestbed.model.pdata.MetadataException EIO when the block is past the end or cannot be read
     */
    void read(long block, byte[] dst);

    @Override
    void close();
}
