package org.eratestbed.fault.campaign;

import java.util.List;
import java.util.SplittableRandom;
import org.eratestbed.device.fault.FaultKind;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.fault.FaultRule;
import org.eratestbed.device.fault.Trigger;

/**
 * Which runs of a campaign get device faults, and which: one run in {@value #ONE_IN} (chosen by the run's
 * seed alone, so the rest of the plan is drawn as before), one fault on one device. On the metadata device:
 * an I/O error on a read, write or flush, a latent bad range, a lying flush, a dropped or misdirected write,
 * or writes that tear inside a 4 KiB block at the power cut. On the origin: an I/O error on a write or
 * flush, a lying flush, a dropped or misdirected write (the origin is only read after recovery, on a crash
 * state, so read faults there would never fire). A fault fires on one request ({@code op=N}, the N-th request
 * the disk receives) or on each with a small probability ({@code rate=P}). {@link DeviceFaults} says what each
 * may legitimately cause.
 */
final class CampaignFaults {
    static final int ONE_IN = 5;
    /** Requests a small run sends a disk: op numbers are drawn below this, so most chosen faults fire. */
    private static final int OPS = 48;
    private static final List<FaultKind> METADATA = List.of(FaultKind.EIO_READ, FaultKind.EIO_WRITE,
            FaultKind.EIO_FLUSH, FaultKind.LATENT, FaultKind.LYING_FLUSH, FaultKind.DROP, FaultKind.MISDIRECT);
    private static final List<FaultKind> ORIGIN = List.of(FaultKind.EIO_WRITE, FaultKind.EIO_FLUSH,
            FaultKind.LYING_FLUSH, FaultKind.DROP, FaultKind.MISDIRECT);

    private CampaignFaults() {
    }

    /** The plan with the faults its run seed chooses (most runs: none). */
    static RunPlan choose(long runSeed, RunPlan plan) {
        SplittableRandom r = new SplittableRandom(runSeed ^ 0x6661756c74730000L);
        if (r.nextInt(ONE_IN) != 0) {
            return plan;
        }
        boolean onMetadata = r.nextBoolean();
        if (onMetadata && r.nextInt(METADATA.size() + 1) == 0) {
            return plan.withFaults(FaultPlan.NONE, FaultPlan.NONE, true);
        }
        List<FaultKind> kinds = onMetadata ? METADATA : ORIGIN;
        FaultKind kind = kinds.get(r.nextInt(kinds.size()));
        long sectors = onMetadata ? plan.script().target().metadataMib() << 11
                : org.eratestbed.fault.model.ModelTarget.originSectors(plan.script().target());
        Trigger trigger;
        if (kind == FaultKind.LATENT) {
            // The first blocks of the metadata device: the superblock and the space maps' roots live there.
            long start = 8L * r.nextInt(16);
            trigger = new Trigger.Sectors(start, start + 8);
        } else if (r.nextBoolean()) {
            trigger = new Trigger.Op(r.nextInt(OPS));
        } else {
            trigger = new Trigger.Rate((2 + r.nextInt(9)) / 100.0);
        }
        long misdirectTo = kind == FaultKind.MISDIRECT ? 8 * r.nextLong(Math.max(1, sectors / 8 - 1)) : -1;
        FaultRule rule = new FaultRule(kind, trigger, misdirectTo);
        FaultPlan fp = new FaultPlan(r.nextLong(), List.of(rule));
        return onMetadata ? plan.withFaults(fp, FaultPlan.NONE, false) : plan.withFaults(FaultPlan.NONE, fp, false);
    }
}
