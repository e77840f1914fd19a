package org.eratestbed.fault.model;

import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** A crash state read block by block by the independent readers, without materialising the image. */
public final class CrashStateSource implements BlockSource {
    private final CrashState state;

    public CrashStateSource(CrashState state) {
        this.state = state;
    }

    @Override
    public long nrBlocks() {
        return state.sizeSectors() / (BLOCK_SIZE / BlockDevice.SECTOR_SIZE);
    }

    @Override
    public void read(long block, byte[] dst) {
        if (block < 0 || block >= nrBlocks()) {
            throw new MetadataException(Errno.EIO, "block " + block + " past the end of the image");
        }
        state.read(block * (BLOCK_SIZE / BlockDevice.SECTOR_SIZE), dst, 0, BLOCK_SIZE / BlockDevice.SECTOR_SIZE);
    }

    /** True when block {@code block} of the state is all zeroes (block 0: unformatted metadata). */
    public boolean isZero(long block) {
        byte[] b = new byte[BLOCK_SIZE];
        read(block, b);
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
    }
}
