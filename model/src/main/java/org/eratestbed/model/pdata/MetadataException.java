package org.eratestbed.model.pdata;

/**
 * An error from the persistent-data layer or the era metadata: the Java form of a negative errno return.
 * Unchecked, like an errno that every caller must pass up; the era target turns it into a failed bio, a
 * failed message or {@code Error} in the status line, exactly where the kernel would.
 */
public class MetadataException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public MetadataException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public MetadataException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
