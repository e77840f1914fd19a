package org.eratestbed.model.era.tools.thin;

/** A thin-provisioning-tools binary is missing, could not be started, timed out, or failed where success was required. */
public final class ThinToolsException extends RuntimeException {
    public ThinToolsException(String message) {
        super(message);
    }

    public ThinToolsException(String message, Throwable cause) {
        super(message, cause);
    }
}
