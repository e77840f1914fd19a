package org.eratestbed.model.era.target;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * The RPC handshake as reviewed in 2014 (review point M4): {@code int result} and {@code atomic_t complete}
 * with no barrier between them. {@code atomic_set} / {@code atomic_read} order nothing around them, so both
 * fields are plain here: the Java memory model, like a weakly ordered CPU, lets the caller see the flag set
 * and still read the old result (0, i.e. success, where the worker reported an error).
 *
 * <p>The caller follows {@code wait_event(rpc->wait, atomic_read(&rpc->complete))}: a fast check of the flag,
 * else sleep on the wait queue and check again. Only the fast path is unordered; a caller that slept is woken
 * through the wait queue's lock, which orders it after the worker — as in the kernel.
 */
final class UnbarrieredRpc extends Rpc {
    private int result;
    private boolean complete;
    /** rpc->wait: the wait queue, whose spinlock is the only ordering on the slow path. */
    private final Object waitQueue = new Object();

    UnbarrieredRpc(RpcFunction fn) {
        super(fn);
    }

    @Override
    void complete(int r) {
        result = r;
        complete = true; // atomic_set(&rpc->complete, 1): no smp_wmb() before it
        synchronized (waitQueue) {
            waitQueue.notifyAll(); // wake_up(&rpc->wait)
        }
    }

    // Two independent plain loads: without smp_rmb() between them the CPU (or the JIT) may perform the load of
    // result before the load of complete.
    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public int result() {
        return result;
    }

    @Override
    public int await() throws InterruptedException {
        if (!complete) {
            synchronized (waitQueue) {
                while (!complete) {
                    waitQueue.wait();
                }
            }
        }
        return result;
    }

    @Override
    public OptionalInt await(Duration timeout) throws InterruptedException {
        if (!complete) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (waitQueue) {
                while (!complete) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return OptionalInt.empty();
                    }
                    waitQueue.wait(Math.max(1, left / 1_000_000));
                }
            }
        }
        return OptionalInt.of(result);
    }
}
