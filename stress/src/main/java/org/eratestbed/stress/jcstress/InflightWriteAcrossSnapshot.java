package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import org.eratestbed.model.era.defect.Variant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Review point M1 in upstream: a write to an already-marked block, in flight while {@code take_metadata_snap}
 * rolls the era over ({@link InflightWriteScenario}). r1 = 1 when its data landed after the change to E+1,
 * r2 = 1 when {@code era_invalidate --written-since E+1} lists the block.
 *
 * <p>Runs the whole model target (dm core, map, the worker on its own thread, RPCs, metadata on a SimDisk):
 * one target is built and removed per sample, so this test gathers hundreds of samples, not millions — enough,
 * since the window (the write's 100 µs in flight against the worker's rollover) is wide, not a reordering.
 *
 * <p>Can find: "1, 0", a write that landed in era E+1 and is not reported as written since E+1 — what a
 * backup tool that copies "written since the snapshot's era" would miss (upstream's era_map keeps no count of
 * in-flight writes). Cannot find: reorderings of plain fields (the rollover's era store is read racily by the
 * probe, so a stale read only hides the outcome), nor the same race on a checkpoint message, which takes the
 * same path ({@code rpcWithDrain}) and is left to the lincheck suite.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Landed in era E, before the rollover; listed in E only.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Landed in era E and also listed since E+1 (over-report).")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Landed after the rollover and listed since E+1.")
@Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "M1: landed after the rollover to E+1, but not listed as written since E+1.")
@State
public class InflightWriteAcrossSnapshot {
    private final InflightWriteScenario s = new InflightWriteScenario(Variant.UPSTREAM);

    @Actor
    public void writer() {
        s.write();
    }

    @Actor
    public void snapshotter() {
        s.takeSnapshot();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        s.judge(r);
    }
}
