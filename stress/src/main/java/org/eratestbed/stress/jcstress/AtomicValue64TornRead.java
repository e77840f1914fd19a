package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.Value64;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * Review points M6 / M13 fixed (upstream): the same increment across 2^32 as {@link SplitValue64TornRead} on the
 * value the upstream variant builds. r1 = the value read.
 *
 * <p>Can find: any torn read (FORBIDDEN, fails the build) — a value that is neither the old nor the new one.
 * Cannot find: tearing on a 32-bit JVM unless this runs on one (JLS 17.7 promises volatile longs are atomic
 * there too, which is what the fixed form relies on).
 */
@JCStressTest
@Outcome(id = "4294967295", expect = ACCEPTABLE, desc = "The old value, 2^32-1.")
@Outcome(id = "4294967296", expect = ACCEPTABLE, desc = "The new value, 2^32.")
@Outcome(expect = FORBIDDEN, desc = "Torn: one 32-bit half old, the other new.")
@State
public class AtomicValue64TornRead {
    private final Value64 value = Value64.forDefect(Variant.UPSTREAM::has, Defect.M13_NR_FREE_TORN_READ,
            0xFFFF_FFFFL);

    @Actor
    public void worker() {
        value.add(1);
    }

    @Actor
    public void reader(J_Result r) {
        r.r1 = value.get();
    }
}
