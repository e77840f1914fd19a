package org.eratestbed.model.era.target;

import java.time.Duration;
import java.util.OptionalInt;

import org.eratestbed.model.era.defect.Defect;

/**
 * One call into the worker: the kernel's {@code struct rpc}. The worker stores {@code result} and then
 * signals completion; the caller waits for completion and then reads {@code result}. How the two sides are
 * ordered is the whole of review point {@link Defect#M4_RPC_RESULT_NO_BARRIER}: {@link UnbarrieredRpc} is
 * the reviewed code (plain result and flag), {@link CompletionRpc} the merged code ({@code struct
 * completion}). {@link RpcQueue#submit} picks one.
 *
 * <p>Two kinds of caller use it: a real thread waits in {@link #await()} (perform_rpc's
 * wait_for_completion); the deterministic scheduler never blocks a thread and asks {@link #poll()}, where an
 * empty answer means "blocked". {@link #isComplete()} then {@link #result()} are the two loads perform_rpc makes
 * after its wait — the completion test, then {@code return rpc->result} — for tests that look at their order.
 */
public abstract class Rpc {
    /**
     * The errno an RPC on a suspended target fails with once {@link Defect#DEADLOCK_2023} is fixed (hardened):
     * EBUSY says the refusal is transient and due to the device's state — retry after resume — unlike
     * EINVAL (a bad message) or EIO (a metadata failure). The 2023 thread agreed to fail such calls ("I'm fine
     * with failing the message (or status) if suspended") but named no errno. Not in
     * {@link org.eratestbed.model.pdata.Errno}, which holds the persistent-data layer's errors.
     */
    public static final int EBUSY = org.eratestbed.model.pdata.Errno.EBUSY.value();

    private final RpcFunction fn;

    Rpc(RpcFunction fn) {
        this.fn = fn;
    }

    RpcFunction fn() {
        return fn;
    }

    /** Worker side: store the result (0 or a negative errno) and wake the caller. Called once. */
    abstract void complete(int result);

    /** The completion test the caller's wait ends on. */
    public abstract boolean isComplete();

    /**
     * The caller's read of {@code rpc->result}: 0 (perform_rpc's initial value) until the worker stores the
     * result; meaningful once {@link #isComplete()} returned true — if the handshake orders the two.
     */
    public abstract int result();

    /** Scheduler side: the result if the call has completed, empty if the caller is still blocked. */
    public final OptionalInt poll() {
        return isComplete() ? OptionalInt.of(result()) : OptionalInt.empty();
    }

    /** Thread side: wait until the worker completes the call, then return its result (perform_rpc). */
    public abstract int await() throws InterruptedException;

    /**
     * Thread side, bounded: the result, or empty if the call has not completed within {@code timeout} — how
     * a liveness check with real threads tells a blocked RPC (deadlock-2023) from a slow one.
     */
    public abstract OptionalInt await(Duration timeout) throws InterruptedException;
}
