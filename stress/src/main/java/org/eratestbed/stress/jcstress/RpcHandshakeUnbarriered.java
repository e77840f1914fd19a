package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.Rpc;
import org.eratestbed.model.era.target.RpcQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Review point M4 in the as-reviewed code: the worker (process_rpc_calls) stores the RPC's result, -EIO from a
 * failed commit, then sets the plain complete flag; the caller polls the flag and reads the result, with no
 * barrier on either side. r1 = 1 when the caller saw the call complete, r2 = the result it read.
 *
 * <p>Can find: the caller seeing "complete" together with the stale initial result 0 — the metadata error
 * swallowed and reported as success. The Java memory model allows it (the reason the outcome is declared), but
 * x86 keeps both the worker's stores and the caller's loads in order, so only the JIT could produce it: in
 * our runs on x86 with HotSpot 17 (34 M samples, 1.1 M of them with the call complete) it never showed, and the
 * summary reports it as declared but unobserved. Weakly ordered CPUs (arm64, POWER) are where it would be expected.
 * Cannot find: anything about the slow path (a caller that slept on the wait queue is ordered by its lock,
 * here as in the kernel).
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Not complete yet: the caller would keep waiting.")
@Outcome(id = "0, -5", expect = ACCEPTABLE, desc = "Not complete when tested; the result was stored meanwhile (unused).")
@Outcome(id = "1, -5", expect = ACCEPTABLE, desc = "Complete, and the caller reads the worker's -EIO.")
@Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "M4: complete, but the caller reads the stale result 0: the commit's -EIO is lost.")
@State
public class RpcHandshakeUnbarriered {
    private final RpcQueue queue = new RpcQueue(Variant.AS_REVIEWED::has, () -> false, () -> { });
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
