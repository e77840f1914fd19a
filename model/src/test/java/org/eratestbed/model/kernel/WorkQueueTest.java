package org.eratestbed.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    /** Work that re-queues itself until it has run {@code total} times, like dm-era's digest. */
    static final class SelfRequeue implements Runnable {
        final AtomicInteger runs = new AtomicInteger();
        final int total;
        WorkQueue wq;

        SelfRequeue(int total) {
            this.total = total;
        }

        @Override
        public void run() {
            if (runs.incrementAndGet() < total) {
                wq.queueWork();
            }
        }
    }

    @Test
    void flushMissesSelfRequeuedWorkButDrainWaitsForIt() {
        // Every interleaving must satisfy both facts, so try several seeds.
        boolean flushReturnedEarly = false;
        for (long seed = 0; seed < 20; seed++) {
            DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(seed));
            SelfRequeue work = new SelfRequeue(5);
            work.wq = new WorkQueue(s, "dm-era", work);
            int[] atFlush = new int[1];
            int[] atDrain = new int[1];
            s.call("suspend", () -> {
                work.wq.queueWork();
                work.wq.flush();
                atFlush[0] = work.runs.get();
                work.wq.drain();
                atDrain[0] = work.runs.get();
                work.wq.destroy();
                return null;
            });
            assertTrue(atFlush[0] >= 1, "flush returned before the queued run");
            assertEquals(5, atDrain[0], "drain returned with self-requeued work left");
            flushReturnedEarly |= atFlush[0] < 5;
            assertEquals(DeterministicScheduler.Outcome.QUIESCENT, s.runToQuiescence());
            assertTrue(s.liveActors().isEmpty(), s.liveActors().toString());
        }
        assertTrue(flushReturnedEarly, "flush never returned before the re-queued runs: it cannot show 9ae6e8b1");
    }

    @Test
    void realThreadsRunTheSameCode() throws Exception {
        ThreadScheduler s = new ThreadScheduler();
        SelfRequeue work = new SelfRequeue(1000);
        work.wq = new WorkQueue(s, "dm-era", work);
        work.wq.queueWork();
        work.wq.drain();
        assertEquals(1000, work.runs.get());
        Completion c = new Completion(s);
        s.spawn("completer", c::complete);
        c.waitForCompletion("completion");
        work.wq.destroy();
        assertTrue(s.shutdown(5, TimeUnit.SECONDS));
    }
}
