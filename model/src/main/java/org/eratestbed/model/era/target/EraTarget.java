package org.eratestbed.model.era.target;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.IoStatus;
import org.eratestbed.model.dm.DmBio;
import org.eratestbed.model.dm.DmDev;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.dm.DmTarget;
import org.eratestbed.model.dm.MapResult;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.dm.Target;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.era.metadata.MetadataStats;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * One dm-era target instance (struct era) and its target methods: map, postsuspend, preresume, status,
 * message, dtr. The constructor is {@link EraTargetType#ctr}. Read it beside dm-era-target.c: the methods
 * keep the kernel's names and order, and each catalogued defect's path sits next to the fixed one.
 */
public final class EraTarget implements Target {
    private final DmTarget ti;
    private final Scheduler scheduler;
    private final Predicate<Defect> live;
    final DmDev metadataDev;
    final DmDev originDev;
    final long sectorsPerBlock;
    /** log2 of the block size, or -1 when it is not a power of two (sector_div is used then). */
    private final int sectorsPerBlockShift;
    private long nrBlocks;
    private EraMetadata md;
    private EraWorker worker;
    /** Whether a preresume has succeeded: from then on no other table can have committed under this one. */
    private boolean resumedOnce;
    /** Constructed while another table on the same metadata device existed (it may commit after our ctr). */
    private boolean loadedBesideAnother;
    /** Drops this table from its type's count of tables per metadata device; null until the ctr finished. */
    private Runnable unregister;
    /** hardened M1: writes issued to the origin and not completed yet. */
    private final AtomicInteger inflightWrites = new AtomicInteger();
    /** hardened M1: an era change is waiting for in-flight writes; map defers every write meanwhile. */
    private volatile boolean draining;

    EraTarget(DmTarget ti, Scheduler scheduler, Predicate<Defect> live, DmDev metadataDev, DmDev originDev,
            long sectorsPerBlock) {
        this.ti = ti;
        this.scheduler = scheduler;
        this.live = live;
        this.metadataDev = metadataDev;
        this.originDev = originDev;
        this.sectorsPerBlock = sectorsPerBlock;
        this.sectorsPerBlockShift = Long.bitCount(sectorsPerBlock) == 1 ? Long.numberOfTrailingZeros(sectorsPerBlock) : -1;
    }

    void setMetadata(EraMetadata metadata) {
        this.md = metadata;
    }

    void attach(EraMetadata metadata) {
        this.md = metadata;
        this.worker = new EraWorker(this, scheduler, live);
        if (!live.test(Defect.MESSAGE_BEFORE_PRERESUME)) {
            // The table can be live before its preresume (do_resume swaps first): no RPC may run the worker on
            // writesets that preresume's resize has not allocated yet.
            worker.constructSuspended();
        }
    }

    void registered(boolean besideAnother, Runnable onDestroy) {
        this.loadedBesideAnother = besideAnother;
        this.unregister = onDestroy;
    }

    EraMetadata md() {
        return md;
    }

    /** era->md, for scenarios and tools that inspect the running target's metadata object. */
    public EraMetadata metadata() {
        return md;
    }

    void log(String message) {
        ti.log().err("era", message);
    }

    public long nrBlocks() {
        return nrBlocks;
    }

    /** The in-core current era (u32 in an int): what an oracle compares a write's acknowledgement with. */
    public int currentEra() {
        return md.currentEra();
    }

    /** era->nr_blocks as the pre-cca2c6ae constructor set it, after resizing the metadata. */
    void setNrBlocks(long n) {
        this.nrBlocks = n;
    }

    /** calc_nr_blocks: the origin length in era blocks, rounded up. */
    long calcNrBlocks() {
        return (ti.len() + sectorsPerBlock - 1) / sectorsPerBlock;
    }

    /** get_block: the era block a bio starts in. */
    long getBlock(DmBio bio) {
        long sector = bio.sector();
        return sectorsPerBlockShift >= 0 ? sector >>> sectorsPerBlockShift : sector / sectorsPerBlock;
    }

    @Override
    public MapResult map(DmBio bio) {
        long block = getBlock(bio);
        bio.remap(originDev.device());
        // REQ_PREFLUSH bios carry no data, so era has no interest in them (M14: the reviewed code deferred
        // them like writes and marked the block their undefined sector pointed at).
        boolean flushPassesThrough = !live.test(Defect.M14_FLUSH_NOT_PASSED_THROUGH);
        // bio_data_dir(bio) == WRITE: writes, discards, and empty flushes (a WRITE with REQ_PREFLUSH).
        boolean dataDirWrite = bio.isWrite() || bio.op() == BioOp.FLUSH;
        boolean deferrable = !(flushPassesThrough && bio.preflush()) && dataDirWrite;
        if (!live.test(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT) && bio.isWrite() && !bio.preflush()) {
            return mapCountedFirst(bio, block, deferrable);
        }
        if (deferrable && !md.currentMarked(block)) {
            worker.deferBio(bio);
            return MapResult.SUBMITTED;
        }
        if (bio.isWrite() && !bio.preflush()) {
            // Upstream lets this write go with no record of it being in flight (M1); it is counted only so
            // that the count means the same in every variant.
            inflightWrites.incrementAndGet();
            if (draining) {
                inflightWrites.decrementAndGet();
                scheduler.signalAll();
                worker.deferBio(bio);
                return MapResult.SUBMITTED;
            }
            bio.setTargetPrivate(Boolean.TRUE);
        }
        return MapResult.REMAPPED;
    }

    /**
     * Hardened M1: the write is counted in flight before anything else. An era change sets the flag first,
     * then waits for the count, so one of the two always sees the other — and because the count comes before
     * the writeset lookup, a write that finds its block marked in the old era cannot be overtaken by a whole
     * era change between the lookup and the count (the stress suite's jcstress test found that window when
     * the count came after the lookup: the write landed in the new era, recorded only in the old one).
     */
    private MapResult mapCountedFirst(DmBio bio, long block, boolean deferrable) {
        inflightWrites.incrementAndGet();
        if (draining || (deferrable && !md.currentMarked(block))) {
            inflightWrites.decrementAndGet();
            scheduler.signalAll();
            worker.deferBio(bio);
            return MapResult.SUBMITTED;
        }
        bio.setTargetPrivate(Boolean.TRUE);
        return MapResult.REMAPPED;
    }

    @Override
    public void endIo(DmBio bio, IoStatus status) {
        if (bio.targetPrivate() == Boolean.TRUE) {
            inflightWrites.decrementAndGet();
            scheduler.signalAll();
        }
    }

    /** Issue a bio the worker deferred (submit_bio_noacct). */
    void issue(DmBio bio) {
        if (bio.isWrite() && !bio.preflush()) {
            inflightWrites.incrementAndGet();
            bio.setTargetPrivate(Boolean.TRUE);
        }
        bio.submit();
    }

    @Override
    public void postsuspend() {
        int r = worker.inWorker("metadata_era_archive", () -> md.eraArchive());
        if (r != 0) {
            log("era_postsuspend: couldn't archive current era");
        }
        worker.stopWorker();
        if (!live.test(Defect.POSTSUSPEND_COMMIT_AFTER_WORKER)) {
            // 9ae6e8b1: the worker may have written metadata after the RPC's commit; commit it now that it
            // has stopped, so the committed metadata matches the in-core state.
            try {
                md.commit();
            } catch (MetadataException e) {
                log("era_postsuspend: metadata_commit failed");
            }
        }
    }

    @Override
    public void preresume() {
        if (!resumedOnce && loadedBesideAnother && !live.test(Defect.LOAD_WHILE_ACTIVE)) {
            // A message can reach this table in the swap window, before its preresume, and run its worker (the
            // ctr never marks it suspended): stop the worker until startWorker below, so that such a message
            // is refused rather than run on the object being replaced, and forget a digest started on it.
            worker.stopWorker();
            worker.digest().stop();
            try {
                reopenMetadata();
            } catch (MetadataException e) {
                log("era_preresume: couldn't reopen metadata");
                throw new DmException(e.errno(), "couldn't reopen metadata");
            }
        }
        long newSize = calcNrBlocks();
        if (live.test(Defect.RESIZE_IN_PRERESUME)) {
            // Before cca2c6ae the ctr had resized already, so this branch never ran; had it run, it would have
            // resized in the worker (after whatever digest step was queued) and, after a suspend, before the
            // worker was started.
            if (nrBlocks != newSize) {
                int r = worker.inWorker("metadata_resize", () -> md.resize(newSize));
                if (r != 0) {
                    throw new DmException(errnoOf(r), "metadata_resize failed");
                }
                nrBlocks = newSize;
            }
        } else if (nrBlocks != newSize) {
            try {
                md.resize(newSize);
            } catch (MetadataException e) {
                log("era_preresume: metadata_resize failed");
                throw new DmException(e.errno(), "metadata_resize failed");
            }
            try {
                md.commit();
            } catch (MetadataException e) {
                log("era_preresume: metadata_commit failed");
                throw new DmException(e.errno(), "metadata_commit failed");
            }
            nrBlocks = newSize;
        }
        worker.startWorker();
        // de89afc1: roll over (archiving a writeset committed before a crash); before the fix only a new era
        // was started, dropping it.
        RpcFunction fn = live.test(Defect.RECOVER_COMMITTED_WRITESET) ? (RpcFunction) () -> md.newEra() : () -> md.eraRollover();
        int r = worker.inWorker("metadata_era_rollover", fn);
        if (r != 0) {
            log("era_preresume: metadata_era_rollover failed");
            throw new DmException(errnoOf(r), "metadata_era_rollover failed");
        }
        resumedOnce = true;
    }

    /**
     * testbed-load-while-active's fix. The ctr opened the metadata as last committed, but when the table was
     * loaded while the device was active, the live table went on committing until its postsuspend; resizing
     * or committing from the ctr's view would write that older state over the newer. The old table is
     * suspended (its worker stopped, its last commit done) before this table's preresume runs, so the disk is
     * current now: open it again and drop the ctr's object, whose block manager holds nothing dirty (an
     * inactive table gets no messages, and a format was committed in the ctr).
     * <p>
     * Only a table constructed while another existed on the same metadata device does this (its type
     * counts the tables per device): a table created alone read what nothing else writes, and reopening it
     * would only add I/O. (A table loaded while the device was suspended reopens too, harmlessly.)
     * <p>
     * Chosen over sharing one metadata object between the tables of a device, as dm-cache's lookup_or_open
     * and dm-thin's pool table do: sharing would carry one table's in-core state (a failed commit's fail
     * mode, the digest, the writesets sized for the old length) into the next and need a refcounted registry
     * across the target type; reopening keeps each table's object its own, and the ctr still validates the
     * metadata (block size, unformatted device) exactly as before. The new object is opened before the old
     * is closed, so a failed reopen fails the resume and leaves the table as loaded. A message can reach this
     * table in the swap window, before its preresume: every RPC names era->md when it runs, not when it is
     * queued, so one queued meanwhile runs on the reopened object. Before cca2c6ae the ctr
     * had also resized its object (uncommitted, so not on disk): that resize is repeated on the new one.
     */
    private void reopenMetadata() {
        EraMetadata fresh = md.reopen();
        if (live.test(Defect.RESIZE_IN_PRERESUME)) {
            try {
                fresh.resize(nrBlocks);
            } catch (MetadataException e) {
                fresh.close();
                throw e;
            }
        }
        md.close();
        md = fresh;
    }

    @Override
    public String status(StatusType type) {
        switch (type) {
            case INFO: {
                MetadataStats s;
                if (live.test(Defect.M13_NR_FREE_TORN_READ)) {
                    // M13: the reviewed era_status read the space map on the caller's thread, unlocked, while
                    // the worker runs (and so never blocked on a suspended target).
                    s = md.getStatsUnlocked();
                } else {
                    MetadataStats[] stats = new MetadataStats[1];
                    int r = worker.inWorker("metadata_get_stats", () -> stats[0] = md.getStats());
                    if (r != 0) {
                        return "Error";
                    }
                    s = stats[0];
                }
                return EraMetadata.METADATA_BLOCK_SECTORS + " " + s.used() + "/" + s.total() + " "
                        + Long.toUnsignedString(s.era()) + (s.snap() != 0 ? " " + s.snap() : " -");
            }
            case TABLE:
                return metadataDev.devT() + " " + originDev.devT() + " " + sectorsPerBlock;
            default:
                return "";
        }
    }

    @Override
    public void message(String[] argv) {
        if (argv.length != 1) {
            log("incorrect number of message arguments");
            throw new DmException(Errno.EINVAL, "incorrect number of message arguments");
        }
        String m = argv[0];
        if (m.equalsIgnoreCase("checkpoint")) {
            rpcWithDrain("metadata_checkpoint", () -> md.checkpoint());
        } else if (m.equalsIgnoreCase("take_metadata_snap")) {
            rpcWithDrain("metadata_take_snap", () -> md.takeSnap());
        } else if (m.equalsIgnoreCase("drop_metadata_snap")) {
            rpc("metadata_drop_snap", () -> md.dropSnap());
        } else {
            log("unsupported message '" + m + "'");
            throw new DmException(Errno.EINVAL, "unsupported message '" + m + "'");
        }
    }

    /**
     * A message that moves to a new era. Upstream runs it at once (M1: writes remapped in the old era may
     * land after it, recorded only in the old era). Hardened makes map defer every write from now on, and
     * has the worker wait, inside the RPC, until every write issued so far has completed before it rolls
     * over; the writes deferred meanwhile are issued after the RPC, marked in the new era.
     */
    private void rpcWithDrain(String what, RpcFunction fn) {
        if (live.test(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT)) {
            rpc(what, fn);
            return;
        }
        draining = true;
        try {
            rpc(what, () -> {
                scheduler.await("in-flight writes to drain before " + what, () -> inflightWrites.get() == 0);
                fn.call();
            });
        } finally {
            draining = false;
            worker.wakeWorker();
        }
    }

    private void rpc(String what, RpcFunction fn) {
        int r = worker.inWorker(what, fn);
        if (r != 0) {
            throw new DmException(errnoOf(r), what + " failed");
        }
    }

    private static Errno errnoOf(int r) {
        for (Errno e : Errno.values()) {
            if (e.value() == -r) {
                return e;
            }
        }
        return Errno.EIO;
    }

    @Override
    public void dtr() {
        destroy();
    }

    /**
     * era_destroy. M2: the reviewed code closed the metadata without checking it had been opened.
     * testbed-metadata-closed-before-worker: the kernel closes the metadata before destroy_workqueue drains the
     * worker; the fix drains it first, so a digest step a failed preresume left queued never outlives the metadata.
     */
    void destroy() {
        if (!live.test(Defect.METADATA_CLOSED_BEFORE_WORKER) && worker != null) {
            worker.destroy();
        }
        if (md != null || live.test(Defect.M2_DESTROY_NULL_METADATA)) {
            md.close();
        }
        if (live.test(Defect.METADATA_CLOSED_BEFORE_WORKER) && worker != null) {
            worker.destroy();
        }
        if (unregister != null) {
            unregister.run();
            unregister = null;
        }
    }
}
