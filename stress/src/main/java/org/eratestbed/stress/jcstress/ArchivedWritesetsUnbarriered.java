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
 * Review point M7 as reviewed: archived_writesets is a plain bool, published with no barrier after the
 * writeset tree root it announces ({@link ArchivedWritesetsScenario}). r1 = 1 when the digest side saw the
 * flag, r2 = 1 when the root it then read is the new tree (with era 1 in it).
 *
 * <p>Can find: "1, 0" — the flag seen but the old root read, so the digest would look for the archived era
 * in a tree that does not hold it yet. The Java memory model allows it; x86 keeps stores and loads in order, so
 * only the JIT can produce it, and the model's record of which threads touch the flag (a monitor on both sides,
 * next to the flag) makes that rarer still: expect it unobserved on x86 and look on arm64. Cannot find: the
 * case the kernel actually has — upstream touches the flag only on the worker, serialised by the ordered
 * workqueue (why upstream does not carry M7) — since this test puts the two sides on two threads on purpose.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not archived yet: flag clear, old root.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Flag not seen yet, new root already visible.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Flag and the new root it announces.")
@Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "M7: the flag seen, but the writeset tree root read is the old one.")
@State
public class ArchivedWritesetsUnbarriered {
    private final ArchivedWritesetsScenario s = new ArchivedWritesetsScenario(Variant.AS_REVIEWED);

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
