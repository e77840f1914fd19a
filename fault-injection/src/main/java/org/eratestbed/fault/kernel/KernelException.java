package org.eratestbed.fault.kernel;

/**
 * The real-kernel machinery failed on the host: a host program is missing or failed, the guest died, did not
 * answer in time, or answered something it should not. The message is one line that says which and why.
 */
public class KernelException extends RuntimeException {
    public KernelException(String message) {
        super(message);
    }

    public KernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
