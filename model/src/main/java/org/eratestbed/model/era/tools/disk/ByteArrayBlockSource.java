package org.eratestbed.model.era.tools.disk;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** An image held in memory (tests, small crash states). */
public final class ByteArrayBlockSource implements BlockSource {
    private final byte[] image;

    public ByteArrayBlockSource(byte[] image) {
        this.image = image;
    }

    @Override
    public long nrBlocks() {
        return image.length / BLOCK_SIZE;
    }

    @Override
    public void read(long block, byte[] dst) {
        if (block < 0 || block >= nrBlocks()) {
            throw new MetadataException(Errno.EIO, "block " + block + " is past the end of the image (" + nrBlocks() + " blocks)");
        }
        System.arraycopy(image, (int) (block * BLOCK_SIZE), dst, 0, BLOCK_SIZE);
    }

    @Override
    public void close() {
    }
}
