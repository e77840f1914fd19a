package org.eratestbed.model.dm;

import org.eratestbed.model.pdata.Errno;

/**
 * A device-mapper operation the kernel refuses: a constructor error ({@code ti->error} and its errno), a
 * message the target rejects, a resume whose preresume fails. {@link #getMessage()} is what the kernel
 * would log or put in ti->error; {@link #errno()} is what the ioctl returns.
 */
public class DmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final String ioctl;

    public DmException(Errno errno, String message) {
        this(errno, message, null);
    }

    private DmException(Errno errno, String message, String ioctl) {
        super(message);
        this.errno = errno;
        this.ioctl = ioctl;
    }

    /**
     * The ioctl dmsetup names when it reports this failure ("reload", "resume"), or null when it is the
     * command's own: dmsetup create is three ioctls (create, table load, resume) and says which one failed.
     */
    public String ioctl() {
        return ioctl;
    }

    /** This failure, as reported by the named ioctl. */
    public DmException inIoctl(String name) {
        DmException e = new DmException(errno, getMessage(), name);
        e.initCause(this);
        return e;
    }

    public Errno errno() {
        return errno;
    }

    /** strerror() of the errno, as dmsetup prints it ("Invalid argument"). */
    public String strerror() {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case EIO -> "Input/output error";
            case ENXIO -> "No such device or address";
            case ENOMEM -> "Cannot allocate memory";
            case ENOTBLK -> "Block device required";
            case EBUSY -> "Device or resource busy";
            case EINVAL -> "Invalid argument";
            case ENOSPC -> "No space left on device";
            case ENODATA -> "No data available";
            case EILSEQ -> "Invalid or incomplete multibyte or wide character";
            case EOPNOTSUPP -> "Operation not supported";
        };
    }
}
