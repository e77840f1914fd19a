package org.eratestbed.stress.rig;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * The plainest block device: a byte array, every request done and completed on the submitting thread, a
 * FLUSH a no-op (nothing is volatile). For the metadata-only rig, where nothing asks about crash states: it
 * leaves out SimDisk's write cache and content hashing, which lincheck's model checker cannot follow (its
 * byte-array VarHandle) and which cost jcstress samples.
 */
public final class RamDisk implements BlockDevice {
    private final byte[] data;

    public RamDisk(long sizeSectors) {
        this.data = new byte[Math.toIntExact(sizeSectors * SECTOR_SIZE)];
    }

    @Override
    public long sizeSectors() {
        return data.length / SECTOR_SIZE;
    }

    @Override
    public String name() {
        return "ram";
    }

    @Override
    public void submit(Bio bio) {
        bio.validate(sizeSectors());
        synchronized (this) {
            int off = (int) (bio.sector() * SECTOR_SIZE);
            switch (bio.op()) {
                case READ -> System.arraycopy(data, off, bio.data(), 0, bio.data().length);
                case WRITE -> System.arraycopy(bio.data(), 0, data, off, bio.data().length);
                case DISCARD -> java.util.Arrays.fill(data, off, off + bio.sectors() * SECTOR_SIZE, (byte) 0);
                case FLUSH -> {
                }
            }
        }
        bio.complete(IoStatus.OK);
    }
}
