package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import org.eratestbed.model.era.defect.Variant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * 2099b145 live (pre-5.12): writeset_test_and_set sets the in-core bit before metadata_commit, so a second
 * write to the block sees it marked in era_map and goes straight to the origin ({@link SecondWriterScenario}).
 * r1 = how many of the two writes landed before the block's mark was durable.
 *
 * <p>Runs the whole model target on real threads, one per sample (hundreds of samples per run).
 *
 * <p>Can find: "1" — the second writer bypassed deferral and its data landed (and completed to the user)
 * before the commit: a power cut then leaves an acknowledged write unmarked. Cannot find the power cut itself
 * (the crash campaigns do that), nor windows narrower than the thread wake-ups of a 2-core machine.
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "Both writes landed after the commit that marks the block.")
@Outcome(id = "1", expect = ACCEPTABLE_INTERESTING,
        desc = "2099b145: a write landed before the block's mark was durable (lost if the power fails now).")
@State
public class IncoreBitBeforeCommit {
    private final SecondWriterScenario s = new SecondWriterScenario(Variant.PRE_5_12);

    @Actor
    public void firstWriter() {
        s.firstWriter();
    }

    @Actor
    public void secondWriter() {
        s.secondWriter();
    }

    @Arbiter
    public void arbiter(I_Result r) {
        s.judge(r);
    }
}
