package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.Value64;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * Review points M6 / M13 in the as-reviewed code: a 64-bit value kept as two 32-bit halves (the free-block
 * count era_status read, the prototype's 64-bit era), incremented by the worker from 2^32-1 to 2^32 while a
 * reader on another thread loads it. r1 = the value read.
 *
 * <p>Can find: torn reads — the reader between the writer's low-half and high-half stores reads 0 (new low,
 * old high) or 2^33-1 (old low, new high), a count or era that never existed; here they need no reordering,
 * only an unlucky interleaving, so they show in every run. Cannot find: tearing inside one 32-bit half (never
 * happens), nor what a 32-bit compiler would choose for its load order (this models low first).
 */
@JCStressTest
@Outcome(id = "4294967295", expect = ACCEPTABLE, desc = "The old value, 2^32-1.")
@Outcome(id = "4294967296", expect = ACCEPTABLE, desc = "The new value, 2^32.")
@Outcome(expect = ACCEPTABLE_INTERESTING, desc = "Torn: one 32-bit half old, the other new.")
@State
public class SplitValue64TornRead {
    private final Value64 value = Value64.forDefect(Variant.AS_REVIEWED::has, Defect.M13_NR_FREE_TORN_READ,
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
