package org.eratestbed.stress.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eratestbed.device.IoStatus;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.WorkQueue;
import org.junit.jupiter.api.Test;

/** The hosted workqueue keeps the kernel's rules with no thread of its own. */
class HostedWorkSchedulerTest {

    @Test
    void workRunsOnlyWhenQueuedAndOnceForSeveralQueueings() {
        HostedWorkScheduler s = new HostedWorkScheduler();
        AtomicInteger runs = new AtomicInteger();
        WorkQueue wq = new WorkQueue(s, "wq", runs::incrementAndGet);
        assertFalse(s.runWorker(), "nothing queued");
        assertTrue(wq.queueWork());
        assertFalse(wq.queueWork(), "already pending");
        assertTrue(s.runWorker());
        assertEquals(1, runs.get());
        assertFalse(s.runWorker(), "the run covered both queueings");
    }

    @Test
    void neverTwoRunsAtOnce() throws Exception {
        HostedWorkScheduler s = new HostedWorkScheduler();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        WorkQueue[] wq = new WorkQueue[1];
        wq[0] = new WorkQueue(s, "wq", () -> {
            if (runs.incrementAndGet() == 1) {
                wq[0].queueWork(); // re-queued while running: one more run, after this one
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        wq[0].queueWork();
        Thread kworker = new Thread(s::runWorker);
        kworker.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        assertFalse(s.runWorker(), "pending again, but a run is in progress");
        release.countDown();
        kworker.join(10_000);
        assertTrue(s.runWorker(), "the re-queue runs after the first run");
        assertEquals(2, runs.get());
    }

    @Test
    void aWaiterRunsTheWorkItWaitsFor() {
        HostedWorkScheduler s = new HostedWorkScheduler();
        AtomicBoolean done = new AtomicBoolean();
        WorkQueue wq = new WorkQueue(s, "wq", () -> done.set(true));
        wq.queueWork();
        s.await("the work", done::get);
        assertTrue(done.get());
        wq.destroy();
    }

    @Test
    void theWholeTargetRunsWithItsWorkerHosted() {
        TargetRig rig = new TargetRig(Variant.HARDENED, new HostedWorkScheduler());
        assertEquals(IoStatus.OK, rig.write(2));
        rig.message("take_metadata_snap");
        assertEquals(IoStatus.OK, rig.write(5));
        assertTrue(rig.writtenSince(1).get(2));
        assertTrue(rig.writtenSince(1).get(5));
    }
}
