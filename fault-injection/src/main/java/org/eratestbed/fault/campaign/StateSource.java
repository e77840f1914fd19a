package org.eratestbed.fault.campaign;

import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** A crash state read block by block by the independent readers, without materialising the image. */
final class StateSource implements BlockSource {
    private final CrashState state;

    StateSource(CrashState state) {
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

    @Override
    public void close() {
    }
}
