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

    public DmException(Errno errno, String message) {
        super(message);
        this.errno = errno;
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
