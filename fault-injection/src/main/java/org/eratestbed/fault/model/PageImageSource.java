package org.eratestbed.fault.model;

import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * A disk image read block by block by the independent readers, without copying it into one array first (a
 * metadata device of a few MiB is mostly unwritten pages that a copy would allocate for nothing).
 */
public final class PageImageSource implements BlockSource {
    private static final int SECTORS = BLOCK_SIZE / BlockDevice.SECTOR_SIZE;
    private final PageImage image;

    public PageImageSource(PageImage image) {
        this.image = image;
    }

    @Override
    public long nrBlocks() {
        return image.sizeSectors() / SECTORS;
    }

    @Override
    public void read(long block, byte[] dst) {
        if (block < 0 || block >= nrBlocks()) {
            throw new MetadataException(Errno.EIO, "block " + block + " past the end of the image");
        }
        image.read(block * SECTORS, dst, 0, SECTORS);
    }

    @Override
    public void close() {
    }
}
