package org.eratestbed.model.era.target;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The merged RPC handshake: {@code struct completion}. {@code complete()} / {@code wait_for_completion()}
 * imply the barriers the review asked for; here the latch gives the same guarantee in Java terms — the
 * worker's store of {@code result} happens-before its {@code countDown()}, which happens-before any
 * {@code await()} or {@link #isComplete()} that observes it. So a caller that sees the call complete always
 * reads the worker's result.
 */
final class CompletionRpc extends Rpc {
    private int result;
    private final CountDownLatch completion = new CountDownLatch(1);

    CompletionRpc(RpcFunction fn) {
        super(fn);
    }

    @Override
    void complete(int r) {
        result = r;
        completion.countDown();
    }

    /** A volatile read of the latch's count: everything before the countDown() it observes is visible. */
    @Override
    public boolean isComplete() {
        return completion.getCount() == 0;
    }

    @Override
    public int result() {
        return result;
    }

    @Override
    public int await() throws InterruptedException {
        completion.await();
        return result;
    }

    @Override
    public OptionalInt await(Duration timeout) throws InterruptedException {
        return completion.await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? OptionalInt.of(result) : OptionalInt.empty();
    }
}
