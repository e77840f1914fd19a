package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.Rpc;
import org.eratestbed.model.era.target.RpcQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Review point M4 fixed (upstream: {@code struct completion}): the same handshake as
 * {@link RpcHandshakeUnbarriered}, with the result published through a completion. r1 = 1 when the caller saw
 * the call complete, r2 = the result it read.
 *
 * <p>Can find: a caller that sees the call complete but not the worker's -EIO ("1, 0" is FORBIDDEN and fails
 * the build), i.e. a missing happens-before in the completion. Cannot find: lost wake-ups of a sleeping caller
 * (the caller here only polls), nor anything the JVM on this CPU never does.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not complete yet: the caller would keep waiting.")
@Outcome(id = "0, -5", expect = ACCEPTABLE, desc = "Not complete when tested; the result was stored meanwhile (unused).")
@Outcome(id = "1, -5", expect = ACCEPTABLE, desc = "Complete, and the caller reads the worker's -EIO.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Complete with a stale result: the completion failed to publish it.")
@State
public class RpcHandshakeCompletion {
    private final RpcQueue queue = new RpcQueue(Variant.UPSTREAM::has, () -> false, () -> { });
    private final Rpc rpc = queue.submit(RpcStress.NOTHING);

    @Actor
    public void worker() {
        queue.process(RpcStress.FAILING_COMMIT);
    }

    @Actor
    public void caller(II_Result r) {
        // perform_rpc after its wait: the completion test, then the read of rpc->result.
        r.r1 = rpc.isComplete() ? 1 : 0;
        r.r2 = rpc.result();
    }
}
