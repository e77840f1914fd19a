package org.eratestbed.model.pdata;

/** The kernel error numbers the persistent-data layer and dm-era return, so messages read like the kernel's. */
public enum Errno {
    EPERM(1), EIO(5), ENXIO(6), ENOMEM(12), ENOTBLK(15), EBUSY(16), EINVAL(22), ENOSPC(28), ENODATA(61), EILSEQ(84), EOPNOTSUPP(95);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The positive errno value; the kernel returns its negation. */
    public int value() {
        return value;
    }
}
