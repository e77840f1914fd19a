package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.eratestbed.model.era.defect.Variant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * 2099b145 fixed (upstream): the in-core bit is set only after metadata_commit succeeded, so a second writer
 * that finds the block marked finds its mark durable. The same race as {@link IncoreBitBeforeCommit}; r1 = how
 * many of the two writes landed before the block's mark was durable.
 *
 * <p>Can find: "1" (FORBIDDEN, fails the build) — any path that exposes the in-core bit, or issues a deferred
 * write, before the commit is on the medium. Cannot find: the same with a commit that fails (the deferred bios
 * then fail too; this rig's metadata never fails).
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "Both writes landed after the commit that marks the block.")
@Outcome(id = "1", expect = FORBIDDEN, desc = "A write landed before the block's mark was durable.")
@State
public class IncoreBitAfterCommit {
    private final SecondWriterScenario s = new SecondWriterScenario(Variant.UPSTREAM);

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
