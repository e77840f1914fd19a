package org.eratestbed.model.era.target;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.pdata.MetadataException;

/**
 * The target's RPC list: {@code era->rpc_calls} under {@code era->rpc_lock}, with both halves of the
 * handshake — {@link #submit} is perform_rpc up to its wait, {@link #process} is the worker's
 * process_rpc_calls. Who runs the worker (a real thread, or the deterministic scheduler calling
 * {@link #process} as one step) is the target's business: this class only needs to know whether the target
 * is suspended and how to wake its worker.
 */
public final class RpcQueue {
    private final Predicate<Defect> live;
    private final BooleanSupplier suspended;
    private final Runnable wakeWorker;
    private final Object rpcLock = new Object();
    private final List<Rpc> calls = new ArrayList<>();

    /**
     * @param live       which defects are live (e.g. {@code variant::has})
     * @param suspended  whether the target is suspended (era->suspended)
     * @param wakeWorker wake_worker: queue the worker (it does nothing while suspended, as in the kernel)
     */
    public RpcQueue(Predicate<Defect> live, BooleanSupplier suspended, Runnable wakeWorker) {
        this.live = live;
        this.suspended = suspended;
        this.wakeWorker = wakeWorker;
    }

    /**
     * perform_rpc up to the wait: queue a call and wake the worker. The caller then waits with
     * {@link Rpc#await()} or, under the scheduler, polls {@link Rpc#poll()}.
     *
     * <p>On a suspended target the worker is stopped. With {@link Defect#DEADLOCK_2023} live the call is queued
     * anyway and its caller waits until the next resume starts the worker (the 2023 deadlock when that resume
     * swaps tables); fixed, it is refused at once with {@code -EBUSY} ({@link Rpc#EBUSY}). The test is made once,
     * when the call arrives, as dm-cache and dm-thin test {@code dm_suspended(ti)}: with real threads, a suspend
     * that stops the worker between the test and the wake-up still leaves that one call waiting for resume; under
     * the scheduler, which owns every step, the window does not exist.
     */
    public Rpc submit(RpcFunction fn) {
        Rpc rpc = live.test(Defect.M4_RPC_RESULT_NO_BARRIER) ? new UnbarrieredRpc(fn) : new CompletionRpc(fn);
        if (suspended.getAsBoolean() && !live.test(Defect.DEADLOCK_2023)) {
            rpc.complete(-Rpc.EBUSY);
            return rpc;
        }
        synchronized (rpcLock) {
            // list_add: at the head, and process_rpc_calls walks from the head, so the newest call runs first
            // (a status queued on a suspended target runs after resume's rollover, as the kernel prints it)
            calls.add(0, rpc);
        }
        wakeWorker.run();
        return rpc;
    }

    /** perform_rpc for a real thread: submit, wait, return 0 or a negative errno. */
    public int perform(RpcFunction fn) throws InterruptedException {
        return submit(fn).await();
    }

    /** Whether calls are waiting for the worker (the scheduler's "worker has work" test). */
    public boolean pending() {
        synchronized (rpcLock) {
            return !calls.isEmpty();
        }
    }

    /**
     * process_rpc_calls, run by the worker: take every queued call, run each, then commit once; if the commit
     * fails every call in the batch returns the commit's error (a call's own success is not durable without
     * it). Only then are the callers woken. Returns how many calls were processed.
     */
    public int process(RpcFunction commit) {
        List<Rpc> batch;
        synchronized (rpcLock) {
            if (calls.isEmpty()) {
                return 0;
            }
            batch = new ArrayList<>(calls);
            calls.clear();
        }
        int[] results = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            results[i] = run(batch.get(i).fn());
        }
        int committed = run(commit);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(committed != 0 ? committed : results[i]);
        }
        return batch.size();
    }

    private static int run(RpcFunction fn) {
        try {
            fn.call();
            return 0;
        } catch (MetadataException e) {
            return -e.errno().value();
        }
    }
}
