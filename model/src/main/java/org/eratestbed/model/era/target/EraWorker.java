package org.eratestbed.model.era.target;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.eratestbed.device.IoStatus;
import org.eratestbed.model.dm.DmBio;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.metadata.Digest;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.era.metadata.Writeset;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.kernel.WorkQueue;
import org.eratestbed.model.pdata.MetadataException;

/**
 * dm-era's worker (the "Worker thread" part of dm-era-target.c): the ordered workqueue, deferred bios,
 * RPCs and the digest, run in the kernel's order by {@link #doWork()}. Every metadata change of the running
 * target happens here, on one actor, which is why the metadata needs no locking.
 *
 * <p>Yield points mark where the kernel's worker can sleep (metadata I/O) or be preempted while map runs on
 * other CPUs: between marking the writeset and committing it, and between the commit and issuing the bios.
 */
final class EraWorker {
    private final EraTarget era;
    private final Scheduler scheduler;
    private final Predicate<Defect> live;
    private final WorkQueue wq;
    private final AtomicBoolean suspended = new AtomicBoolean();
    private final Object deferredLock = new Object();
    private final List<DmBio> deferredBios = new ArrayList<>();
    private final RpcQueue rpcs;
    private final Digest digest = new Digest();

    EraWorker(EraTarget era, Scheduler scheduler, Predicate<Defect> live) {
        this.era = era;
        this.scheduler = scheduler;
        this.live = live;
        this.rpcs = new RpcQueue(live, suspended::get, this::wakeWorker);
        this.wq = new WorkQueue(scheduler, "dm-era", this::doWork);
    }

    void wakeWorker() {
        if (!suspended.get()) {
            wq.queueWork();
        }
    }

    private void doWork() {
        kickOffDigest();
        processOldEras();
        processDeferredBios();
        processRpcCalls();
    }

    private EraMetadata md() {
        return era.md();
    }

    private void kickOffDigest() {
        if (md().archivedWritesets()) {
            md().setArchivedWritesets(false);
            md().digestStart(digest);
        }
    }

    private void processOldEras() {
        if (!digest.running()) {
            return;
        }
        scheduler.yieldPoint("worker: digest step");
        try {
            digest.step(md());
        } catch (MetadataException e) {
            era.log("process_old_eras: digest step failed, stopping digestion");
            digest.stop();
            return;
        }
        if (digest.running()) {
            wakeWorker();
        }
    }

    void deferBio(DmBio bio) {
        synchronized (deferredLock) {
            deferredBios.add(bio);
        }
        wakeWorker();
    }

    private void processDeferredBios() {
        Writeset ws = md().currentWriteset();
        List<DmBio> bios;
        synchronized (deferredLock) {
            bios = new ArrayList<>(deferredBios);
            deferredBios.clear();
        }
        if (bios.isEmpty()) {
            return;
        }
        boolean commitNeeded = false;
        boolean failed = false;
        boolean incoreFirst = live.test(Defect.INCORE_BIT_BEFORE_COMMIT);
        for (DmBio bio : bios) {
            try {
                boolean wasSet = incoreFirst
                        ? md().writesetTestAndSetIncoreFirst(ws, era.getBlock(bio)) // 2099b145: before the fix
                        : md().writesetTestAndSet(ws, era.getBlock(bio));
                if (!wasSet) {
                    commitNeeded = true;
                }
            } catch (MetadataException e) {
                failed = true;
            }
        }
        if (commitNeeded) {
            // The in-core bit is already set here on the buggy path: a write to the same block that map sees
            // now is remapped at once, before this commit makes the mark durable (2099b145).
            scheduler.yieldPoint("worker: writeset marked, before commit");
            try {
                md().commit();
            } catch (MetadataException e) {
                failed = true;
            }
        }
        if (failed) {
            bios.forEach(b -> b.end(IoStatus.IOERR));
            return;
        }
        scheduler.yieldPoint("worker: committed, before issuing deferred bios");
        for (DmBio bio : bios) {
            if (commitNeeded && !incoreFirst) {
                // Only update the in-core writeset once the on-disk one is durable.
                ws.setIncore(md().bitIndex(era.getBlock(bio)));
            }
            era.issue(bio);
        }
    }

    private void processRpcCalls() {
        if (rpcs.process(md()::commit) > 0) {
            scheduler.signalAll();
        }
    }

    /**
     * in_worker0/in_worker1 (perform_rpc): queue the call, wake the worker, wait for the result. On a
     * suspended target the worker does not run, so the caller waits until the next resume (deadlock-2023),
     * unless the defect is fixed, in which case the queue refuses the call at once.
     */
    int inWorker(String what, RpcFunction fn) {
        Rpc rpc = rpcs.submit(fn);
        scheduler.await("rpc " + what + " to complete", () -> rpc.poll().isPresent());
        OptionalInt r = rpc.poll();
        return r.getAsInt();
    }

    void startWorker() {
        suspended.set(false);
    }

    /** The fixed era_ctr's atomic_set(&era->suspended, 1): nothing has run yet, so there is nothing to drain. */
    void constructSuspended() {
        suspended.set(true);
    }

    /**
     * stop_worker. Fixed (9ae6e8b1): drain_workqueue, which also waits for the digest's self-requeued work.
     * Before the fix: flush_workqueue, after which the digest may still run and write metadata.
     */
    void stopWorker() {
        suspended.set(true);
        if (live.test(Defect.POSTSUSPEND_COMMIT_AFTER_WORKER)) {
            wq.flush();
        } else {
            wq.drain();
        }
    }

    boolean suspended() {
        return suspended.get();
    }

    Digest digest() {
        return digest;
    }

    void destroy() {
        wq.destroy();
    }
}
