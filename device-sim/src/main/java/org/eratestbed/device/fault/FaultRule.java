package org.eratestbed.device.fault;

import java.util.Objects;

/**
 * One line of a fault plan: a kind, when it fires, and (for {@code misdirect} only) where the data lands;
 * {@code target < 0} means a sector drawn from the seed.
 */
public record FaultRule(FaultKind kind, Trigger trigger, long target) {
    public FaultRule {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(trigger);
        if (kind == FaultKind.LATENT && !(trigger instanceof Trigger.Sectors)) {
            throw new IllegalArgumentException("latent needs sectors=A..B, not " + trigger);
        }
        if ((kind == FaultKind.EIO_FLUSH || kind == FaultKind.LYING_FLUSH) && trigger instanceof Trigger.Sectors) {
            throw new IllegalArgumentException(kind.token() + " cannot be triggered by sectors (a flush has none)");
        }
        if (target >= 0 && kind != FaultKind.MISDIRECT) {
            throw new IllegalArgumentException("to= is only for misdirect, not " + kind.token());
        }
    }

    public FaultRule(FaultKind kind, Trigger trigger) {
        this(kind, trigger, -1);
    }

    @Override
    public String toString() {
        return kind.token() + " " + trigger + (target >= 0 ? " to=" + target : "");
    }
}
