package org.eratestbed.stress.jcstress;

import org.eratestbed.device.IoStatus;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.stress.rig.LandingProbe;
import org.eratestbed.stress.rig.TargetRig;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Review point M1 on the whole target: block 3 is written (and so marked) in era E; then, at once, a user
 * writes block 3 again while another takes a metadata snapshot (an era rollover to E+1, a commit, the clone).
 * The second write passes era_map's fast path — the block is marked in E — and is in flight for 100 µs.
 * Afterwards the arbiter removes the target and asks {@code invalidate --written-since E+1}.
 *
 * <p>Everything the two variants' tests do is here; each test class only declares its outcome table and three
 * one-line actors and arbiter that call in. They cannot move into a shared superclass: jcstress 0.16's
 * annotation processor reads only the methods a test class declares itself (with the actors inherited it
 * rejects the class: "@JCStressTest defines no @Result to work with").
 */
final class InflightWriteScenario {
    static final int BLOCK = 3;
    /** The origin's service time: the write's in-flight window. */
    private static final long ORIGIN_LATENCY_NANOS = 100_000;

    private final TargetRig rig;
    private final int startEra;
    private IoStatus status;

    InflightWriteScenario(Variant variant) {
        rig = new TargetRig(variant, ORIGIN_LATENCY_NANOS, 0);
        if (rig.write(BLOCK) != IoStatus.OK) {
            throw new IllegalStateException("set-up write failed");
        }
        startEra = rig.target().currentEra();
        rig.startWatching();
    }

    void write() {
        status = rig.write(BLOCK);
    }

    void takeSnapshot() {
        rig.message("take_metadata_snap");
    }

    /**
     * r1 = 1 when the write's data reached the origin after the era changed to E+1 (0 when before, -1 when it
     * failed or did not land exactly once); r2 = 1 when {@code --written-since E+1} lists the block.
     */
    void judge(II_Result r) {
        try {
            var landings = rig.origin().landings();
            if (status != IoStatus.OK || landings.size() != 1 || !landings.get(0).ok()) {
                r.r1 = -1;
            } else {
                LandingProbe.Landing l = landings.get(0);
                r.r1 = l.eraAtLanding() == startEra + 1 ? 1 : l.eraAtLanding() == startEra ? 0 : -1;
            }
            r.r2 = rig.writtenSince(startEra + 1).get(BLOCK) ? 1 : 0;
        } finally {
            rig.close();
        }
    }
}
