package org.eratestbed.device;

/** Completion status of a bio, mirroring the kernel's blk_status_t values that matter here. */
public enum IoStatus {
    OK,
    /** BLK_STS_IOERR / -EIO. */
    IOERR,
    /** BLK_STS_NOTSUPP / -EOPNOTSUPP (e.g. discard on a device without it). */
    NOTSUPP;

    public boolean ok() {
        return this == OK;
    }
}
