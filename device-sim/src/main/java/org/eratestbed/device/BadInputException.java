package org.eratestbed.device;

/**
 * Input that a user (or a peer) got wrong: a request outside the device, a bad table line, an unparsable
 * script or fault plan, a corrupt image. The command line turns it into one line on stderr and exit code 2.
 */
public class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
