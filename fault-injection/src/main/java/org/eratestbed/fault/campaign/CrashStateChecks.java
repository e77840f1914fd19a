package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.fault.model.CrashStateSource;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.check.EraCheck;

/**
 * One run's crash states, checked the way a campaign checks them, for the bench: {@link #check} is the whole
 * per-state work (construct the metadata and origin states, reopen the metadata, recover, read the origin
 * back, remove, invalidate, and every oracle), and {@link #metadataImages} gives the very same metadata states
 * as images, for {@code era_check} to be timed on.
 */
public final class CrashStateChecks {
    /**
     * The bench's small configuration: 64 era blocks of 4 KiB, a 4 MiB metadata device, two commands in flight (on hardened, where no in-flight write escapes M1's fix),
     * writes across three checkpoints, and the power cut inside the last commit, when its writes are in flight.
     */
    public static final WorkloadScript SMALL = WorkloadParser.parse("bench-small", String.join("\n",
            "target block_size=8 origin_blocks=64 metadata_mib=4",
            "write 0 8", "checkpoint", "write 4 8", "flush", "write 20 4", "checkpoint", "write 40 6",
            "take_metadata_snap", "write 2 3", "checkpoint", "write 50 8"));

    private final Variant variant;
    private final RunExecutor.Outcome outcome;

    private CrashStateChecks(Variant variant, RunPlan plan) {
        this.variant = variant;
        this.outcome = RunExecutor.execute(variant::has, plan, RunGenerator.MAX_STEPS);
    }

    /**
     * The small configuration on {@code variant}, crashed at the step inside a metadata commit that leaves the
     * most metadata crash states (of ten steps spread over the run's commits), so a bench has distinct states.
     */
    public static CrashStateChecks small(Variant variant) {
        RunPlan plan = new RunPlan(SMALL, 1, 2, -1);
        RunExecutor.Outcome dry = RunExecutor.execute(variant::has, plan, RunGenerator.MAX_STEPS);
        List<Long> commits = dry.commitSteps();
        if (commits.isEmpty()) {
            throw new IllegalStateException("the bench script committed no metadata");
        }
        CrashStateChecks best = null;
        for (int i = 0; i < 10; i++) {
            long step = commits.get((int) ((long) i * (commits.size() - 1) / 9));
            CrashStateChecks c = new CrashStateChecks(variant, plan.withCrashStep(step));
            if (best == null || c.metadataStates().compareTo(best.metadataStates()) > 0) {
                best = c;
            }
        }
        return best;
    }

    /** How many crash states the metadata device has at the crash (the bench needs at least as many as it checks). */
    public java.math.BigInteger metadataStates() {
        return outcome.model().metadataDisk().crash(Oracles.METADATA_ATOMIC_SECTORS).count();
    }

    /**
     * Checks up to {@code states} crash states selected by {@code stateSeed}; returns how many were checked.
     * A violation is an {@link IllegalStateException}: the bench measures clean states, all the way through.
     */
    public int check(long stateSeed, int states) {
        Oracles.Checked c = Oracles.check(variant::has, outcome, stateSeed, states);
        if (!c.violations().isEmpty()) {
            throw new IllegalStateException("bench configuration violates " + c.first());
        }
        return c.statesChecked();
    }

    /**
     * Only what {@code era_check} does, on the same states: each metadata state constructed and checked by the
     * model's independent reader (no recovery, no other oracle); returns how many passed.
     */
    public int checkMetadataOnly(long stateSeed, int states) {
        int ok = 0;
        for (CrashState s : outcome.model().metadataDisk().crash(Oracles.METADATA_ATOMIC_SECTORS).select(stateSeed, states)) {
            if (EraCheck.check(new CrashStateSource(s)).ok()) {
                ok++;
            }
        }
        return ok;
    }

    /** The metadata images of the states {@link #check} checks for the same arguments, in the same order. */
    public List<byte[]> metadataImages(long stateSeed, int states) {
        List<byte[]> out = new ArrayList<>();
        for (CrashState s : outcome.model().metadataDisk().crash(Oracles.METADATA_ATOMIC_SECTORS)
                .select(stateSeed, states)) {
            PageImage img = s.materialize();
            byte[] b = new byte[Math.toIntExact(img.sizeSectors() * BlockDevice.SECTOR_SIZE)];
            img.read(0, b, 0, (int) img.sizeSectors());
            out.add(b);
        }
        return out;
    }
}
