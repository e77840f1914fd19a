package org.eratestbed.device;

/** A request that completed with an error status, as {@link SyncIo} reports it (the kernel's -EIO and kin). */
public class DeviceIoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Bio bio;
    private final IoStatus status;

    public DeviceIoException(String device, Bio bio, IoStatus status) {
        super(device + ": " + bio + " failed with " + status);
        this.bio = bio;
        this.status = status;
    }

    public Bio bio() {
        return bio;
    }

    public IoStatus status() {
        return status;
    }
}
