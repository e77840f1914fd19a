package org.eratestbed.device.fault;

import org.eratestbed.device.BioOp;

/** What a fault does; {@link #token()} is its name in a fault plan's text. */
public enum FaultKind {
    /** A READ completes with EIO; the buffer is left as it was. */
    EIO_READ("eio-read"),
    /** A WRITE or DISCARD completes with EIO and the medium is unchanged. */
    EIO_WRITE("eio-write"),
    /** A FLUSH completes with EIO and makes nothing durable. */
    EIO_FLUSH("eio-flush"),
    /** The sectors are unreadable (reads touching them fail with EIO) until a write rewrites them. */
    LATENT("latent"),
    /** The write completes OK but its data lands at another sector; the intended sectors keep their content. */
    MISDIRECT("misdirect"),
    /** The write completes OK and is never stored, not even in the cache. */
    DROP("drop"),
    /** The flush (or a write's preflush) completes OK and makes nothing durable. */
    LYING_FLUSH("lying-flush");

    private final String token;

    FaultKind(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    /** Whether a fault of this kind can fire on a request of this type. */
    public boolean appliesTo(BioOp op, boolean preflush) {
        switch (this) {
            case EIO_READ:
            case LATENT:
                return op == BioOp.READ;
            case EIO_WRITE:
            case DROP:
                return op == BioOp.WRITE || op == BioOp.DISCARD;
            case MISDIRECT:
                return op == BioOp.WRITE;
            case EIO_FLUSH:
                return op == BioOp.FLUSH;
            case LYING_FLUSH:
                return op == BioOp.FLUSH || (op == BioOp.WRITE && preflush);
            default:
                throw new AssertionError(this);
        }
    }

    public static FaultKind ofToken(String token) {
        for (FaultKind k : values()) {
            if (k.token.equals(token)) {
                return k;
            }
        }
        return null;
    }
}
