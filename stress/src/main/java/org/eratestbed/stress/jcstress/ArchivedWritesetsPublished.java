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
 * Review point M7 fixed (upstream variant of the model): archived_writesets is published with release/acquire
 * semantics, so a reader that sees it set sees the writeset tree root stored before it. The same race as
 * {@link ArchivedWritesetsUnbarriered}; r1 = flag seen, r2 = new root seen.
 *
 * <p>Can find: "1, 0" (FORBIDDEN, fails the build) — the flag stored before the root, or published without
 * ordering. Cannot find: a digest that misses the flag altogether (a liveness question: the next wake-up
 * reads it again).
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not archived yet: flag clear, old root.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Flag not seen yet, new root already visible.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Flag and the new root it announces.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The flag seen, but the old writeset tree root read.")
@State
public class ArchivedWritesetsPublished {
    private final ArchivedWritesetsScenario s = new ArchivedWritesetsScenario(Variant.UPSTREAM);

    @Actor
    public void worker() {
        s.archive();
    }

    @Actor
    public void digest() {
        s.digestSide();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        s.judge(r);
    }
}
