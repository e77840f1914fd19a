package org.eratestbed.device.sim;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.fault.FaultEvent;
import org.eratestbed.device.fault.FaultKind;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.fault.FaultRule;
import org.eratestbed.device.fault.Trigger;

/**
 * Applies a {@link FaultPlan} to a disk's requests and records every fault that fires.
 *
 * <p>Everything but latent errors is decided at submission, from the request number, its range and the
 * plan's seed only; latent errors are checked when the read completes, against the sectors still unreadable
 * then. When several rules match one request, the strongest wins: an EIO beats a drop, a drop beats a
 * misdirection; a lying preflush combines with what happens to the write's data.
 */
final class FaultInjector {
    private final FaultPlan plan;
    private final long sizeSectors;
    private final Extents latent = Extents.empty();
    private final List<FaultEvent> events = new ArrayList<>();

    FaultInjector(FaultPlan plan, long sizeSectors) {
        this.plan = plan;
        this.sizeSectors = sizeSectors;
        for (FaultRule r : plan.rules()) {
            if (r.trigger() instanceof Trigger.Sectors s && s.end() > sizeSectors) {
                throw new BadInputException("fault plan: " + r + " reaches past the end of a " + sizeSectors
                        + "-sector device");
            }
            if (r.target() >= sizeSectors) {
                throw new BadInputException("fault plan: " + r + " targets past the end of a " + sizeSectors
                        + "-sector device");
            }
            if (r.kind() == FaultKind.LATENT) {
                Trigger.Sectors s = (Trigger.Sectors) r.trigger();
                latent.add(s.start(), s.end());
            }
        }
    }

    FaultPlan plan() {
        return plan;
    }

    List<FaultEvent> events() {
        return events;
    }

    /** What the device does with a request, decided at submission. */
    record Effects(IoStatus status, long landedSector, boolean dropped, boolean flushIgnored) {
    }

    Effects decide(long seq, Bio bio) {
        Set<FaultKind> fired = EnumSet.noneOf(FaultKind.class);
        long target = -1;
        List<FaultRule> rules = plan.rules();
        for (int i = 0; i < rules.size(); i++) {
            FaultRule r = rules.get(i);
            if (r.kind() == FaultKind.LATENT || fired.contains(r.kind()) || !r.kind().appliesTo(bio.op(), bio.preflush())
                    || !matches(r.trigger(), seq, bio, i)) {
                continue;
            }
            if (r.kind() == FaultKind.MISDIRECT) {
                target = misdirectTarget(r, seq, bio, i);
                if (target < 0) {
                    continue;
                }
            }
            fired.add(r.kind());
        }
        IoStatus status = IoStatus.OK;
        long landed = bio.sector();
        boolean dropped = false;
        boolean flushIgnored = false;
        if (fired.contains(FaultKind.EIO_WRITE) || fired.contains(FaultKind.EIO_READ)
                || fired.contains(FaultKind.EIO_FLUSH)) {
            status = IoStatus.IOERR;
            FaultKind k = fired.contains(FaultKind.EIO_WRITE) ? FaultKind.EIO_WRITE
                    : fired.contains(FaultKind.EIO_READ) ? FaultKind.EIO_READ : FaultKind.EIO_FLUSH;
            record(seq, k, bio.toString());
        } else {
            if (fired.contains(FaultKind.LYING_FLUSH)) {
                flushIgnored = true;
                record(seq, FaultKind.LYING_FLUSH, bio.toString());
            }
            if (fired.contains(FaultKind.DROP)) {
                dropped = true;
                record(seq, FaultKind.DROP, bio.toString());
            } else if (fired.contains(FaultKind.MISDIRECT)) {
                landed = target;
                record(seq, FaultKind.MISDIRECT, bio + " landed at " + target);
            }
        }
        return new Effects(status, landed, dropped, flushIgnored);
    }

    private boolean matches(Trigger t, long seq, Bio bio, int rule) {
        if (t instanceof Trigger.Op op) {
            return op.number() == seq;
        }
        if (t instanceof Trigger.Sectors s) {
            return bio.op() != BioOp.FLUSH && s.overlaps(bio.sector(), bio.sectors());
        }
        return plan.draw(seq, rule, 0) < ((Trigger.Rate) t).probability();
    }

    /** The explicit {@code to=} sector (moved back so the write fits), else one drawn from the seed; -1: none fits. */
    private long misdirectTarget(FaultRule r, long seq, Bio bio, int rule) {
        long slots = sizeSectors - bio.sectors() + 1;
        if (r.target() >= 0) {
            long t = Math.min(r.target(), slots - 1);
            return t == bio.sector() ? -1 : t;
        }
        if (slots < 2) {
            return -1;
        }
        long t = (long) (plan.draw(seq, rule, 1) * slots);
        if (t == bio.sector()) {
            t = (t + 1) % slots;
        }
        return t;
    }

    /** True (and recorded) when a read of these sectors hits a latent error now. */
    boolean latentRead(long seq, Bio bio) {
        if (latent.overlaps(bio.sector(), bio.sector() + bio.sectors())) {
            record(seq, FaultKind.LATENT, bio.toString());
            return true;
        }
        return false;
    }

    /** A successful write rewrote these sectors: they are readable again. */
    void rewritten(long sector, long sectors) {
        latent.subtract(sector, sector + sectors);
    }

    private void record(long seq, FaultKind kind, String detail) {
        events.add(new FaultEvent(seq, kind, detail));
    }
}
