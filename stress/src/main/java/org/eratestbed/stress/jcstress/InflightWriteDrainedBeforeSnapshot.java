package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.eratestbed.model.era.defect.Variant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Review point M1 fixed (hardened): the same race as {@link InflightWriteAcrossSnapshot}; the era change now
 * waits for every write remapped before it, and writes that arrive meanwhile are deferred to the worker. r1 = 1
 * when the write's data landed after the change to E+1, r2 = 1 when {@code --written-since E+1} lists it.
 *
 * <p>Can find: "1, 0" (FORBIDDEN, fails the build): the drain missed a write — counted after the flag was
 * tested, or released before its data landed. Cannot find: a drain that waits too long or forever (a hang
 * fails the sample with a timeout error, not an outcome), nor anything in the deterministic scheduler's
 * interleavings that real threads on 2 cores never produce.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Landed in era E, before the rollover; listed in E only.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Landed in era E and also listed since E+1 (over-report).")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Landed after the rollover and listed since E+1.")
@Outcome(id = "1, 0", expect = FORBIDDEN,
        desc = "Landed after the rollover to E+1, but not listed as written since E+1: the drain missed it.")
@State
public class InflightWriteDrainedBeforeSnapshot {
    private final InflightWriteScenario s = new InflightWriteScenario(Variant.HARDENED);

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
