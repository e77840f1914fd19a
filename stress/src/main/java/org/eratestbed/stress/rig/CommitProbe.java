package org.eratestbed.stress.rig;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;

/**
 * The metadata device as the tests watch it: counts the commits that are durable. metadata_commit ends with
 * {@code W(superblock) FLUSH}; once a FLUSH completes after a write to the superblock (block 0), the new
 * superblock — and every mark it points at — survives a power cut. That count is the "is the mark durable
 * yet?" question of 2099b145, asked of the device rather than of the model's own bookkeeping.
 *
 * <p>The count is read and written under this object's lock, so a thread that saw anything the worker did
 * after a commit (an in-core bit set after it) also sees the commit counted (happens-before through the lock).
 */
public final class CommitProbe implements BlockDevice {
    private static final long SUPERBLOCK_SECTORS = 8;
    private final BlockDevice disk;
    private final long flushLatencyNanos;
    private boolean superblockWritten;
    private long durableCommits;

    CommitProbe(BlockDevice disk, long flushLatencyNanos) {
        this.disk = disk;
        this.flushLatencyNanos = flushLatencyNanos;
    }

    /** Commits whose superblock is on the medium. */
    public synchronized long durableCommits() {
        return durableCommits;
    }

    @Override
    public long sizeSectors() {
        return disk.sizeSectors();
    }

    @Override
    public String name() {
        return disk.name();
    }

    @Override
    public void submit(Bio bio) {
        if (bio.op() == BioOp.WRITE && bio.sector() < SUPERBLOCK_SECTORS) {
            synchronized (this) {
                superblockWritten = true;
            }
        }
        if (bio.op() == BioOp.FLUSH) {
            Latency.spin(flushLatencyNanos);
            disk.submit(Bio.flush(done -> {
                if (done.status().ok()) {
                    synchronized (this) {
                        if (superblockWritten) {
                            durableCommits++;
                            superblockWritten = false;
                        }
                    }
                }
                bio.complete(done.status());
            }));
            return;
        }
        disk.submit(bio);
    }
}
