package org.eratestbed.device.sim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.DrivenDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.fault.FaultEvent;
import org.eratestbed.device.fault.FaultPlan;

/**
 * A simulated disk that crashes like a real one: sparse in memory, with a volatile write cache
 * ({@link WriteCache} states the exact semantics), seeded faults ({@link FaultPlan}), an I/O log of every
 * request ({@link IoLog}) and, at any moment, the set of states a power cut may leave ({@link #crash()}).
 *
 * <p>Completion: {@link Completion#IMMEDIATE} completes each request inside {@link #submit}.
 * {@link Completion#QUEUED} keeps submitted requests in {@link #pending()} until whoever drives the
 * simulation completes them — one by one in any order ({@link #complete(Bio)}, {@link #complete(int)},
 * {@link #completeRandom(SplittableRandom)}) or all ({@link #completeAll()}). Reads take their data when they
 * complete, and see every write completed before that (never a write still in flight). The thread that built a
 * queued disk is its driver: {@link org.eratestbed.device.SyncIo} refuses to block that thread on it
 * ({@link #setDriver(Thread)} changes it; null means completions come from elsewhere).
 *
 * <p>Bad requests are rejected with {@link org.eratestbed.device.BadInputException} before anything is
 * numbered, logged or stored. Nothing depends on the wall clock or on hash-map order: the same requests in the
 * same order under the same plan give the same log, images, faults and crash states.
 *
 * <p>Thread-safe: every state change happens under the disk's lock; completions run outside it.
 */
public final class SimDisk implements BlockDevice, DrivenDevice {
    public enum Completion { IMMEDIATE, QUEUED }

    private final long sizeSectors;
    private final String name;
    private final Completion completion;
    private final PageImage base;
    private final WriteCache cache;
    private final FaultInjector faults;
    private final IoLog log;
    /** Replay only: the log whose recorded outcomes this disk repeats (for its requests) instead of a fault plan. */
    private final IoLog forced;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final Map<Bio, Long> pendingSeq = new IdentityHashMap<>();
    private long nextSeq;
    private long tick;
    private volatile Thread driver;

    private record Pending(Bio bio, IoRecord record, FaultInjector.Effects effects) {
    }

    public static Builder builder(long sizeSectors) {
        return new Builder(sizeSectors);
    }

    /** An immediate-mode disk of {@code sizeSectors}, all zeroes, no faults, with a log. */
    public SimDisk(long sizeSectors) {
        this(builder(sizeSectors), null);
    }

    private SimDisk(Builder b, IoLog forced) {
        this.sizeSectors = b.sizeSectors;
        this.name = b.name;
        this.completion = b.completion;
        this.base = b.base == null ? new PageImage(b.sizeSectors) : b.base.copy();
        if (base.sizeSectors() != sizeSectors) {
            throw new IllegalArgumentException("base image has " + base.sizeSectors() + " sectors, the disk " + sizeSectors);
        }
        this.cache = new WriteCache(base);
        this.faults = new FaultInjector(b.plan, sizeSectors);
        this.log = b.recordLog || forced != null ? new IoLog(sizeSectors) : null;
        this.forced = forced;
        this.driver = completion == Completion.QUEUED ? Thread.currentThread() : null;
    }

    @Override
    public long sizeSectors() {
        return sizeSectors;
    }

    @Override
    public String name() {
        return name;
    }

    public Completion completion() {
        return completion;
    }

    @Override
    public void submit(Bio bio) {
        bio.validate(sizeSectors);
        Pending p;
        synchronized (this) {
            if (bio.completed() || pendingSeq.containsKey(bio)) {
                throw new IllegalStateException(name + ": " + bio + " was submitted already");
            }
            long seq = nextSeq++;
            FaultInjector.Effects fx = forced != null && seq < forced.size() ? recorded(forced.get(seq), bio)
                    : faults.decide(seq, bio);
            byte[] data = bio.op() == BioOp.WRITE ? bio.data().clone() : null;
            IoRecord rec = new IoRecord(seq, bio.op(), bio.op() == BioOp.FLUSH ? 0 : bio.sector(), bio.sectors(),
                    bio.fua(), bio.op() == BioOp.WRITE && bio.preflush(), data, data == null || log == null ? null : sha256(data),
                    tick++, -1, null, bio.op() == BioOp.FLUSH ? 0 : fx.landedSector(), fx.dropped(),
                    fx.flushIgnored());
            if (log != null) {
                log.add(rec);
            }
            cache.submitted(rec);
            p = new Pending(bio, rec, fx);
            pending.put(seq, p);
            pendingSeq.put(bio, seq);
        }
        if (completion == Completion.IMMEDIATE) {
            finish(p);
        }
    }

    private static FaultInjector.Effects recorded(IoRecord r, Bio bio) {
        if (r.op() != bio.op() || (bio.op() != BioOp.FLUSH && (r.sector() != bio.sector() || r.sectors() != bio.sectors()))) {
            throw new IllegalStateException("replay: " + bio + " does not match the log's " + r);
        }
        // A request the log left pending completes OK when driven (its fate was never recorded).
        IoStatus status = r.status() == null ? IoStatus.OK : r.status();
        return new FaultInjector.Effects(status, r.landedSector(), r.dropped(), r.flushIgnored());
    }

    private void finish(Pending p) {
        IoStatus status;
        synchronized (this) {
            long seq = p.record().seq();
            if (pending.remove(seq) == null) {
                throw new IllegalStateException(name + ": " + p.bio() + " is not pending");
            }
            pendingSeq.remove(p.bio());
            Bio bio = p.bio();
            status = p.effects().status();
            byte[] readHash = null;
            if (bio.op() == BioOp.READ && status == IoStatus.OK) {
                if (forced == null && faults.latentRead(seq, bio)) {
                    status = IoStatus.IOERR;
                } else {
                    cache.current().read(bio.sector(), bio.data(), 0, bio.sectors());
                    readHash = log == null ? null : sha256(bio.data());
                }
            }
            if (bio.isWrite() && status == IoStatus.OK && !p.effects().dropped()) {
                faults.rewritten(p.record().landedSector(), bio.sectors());
            }
            IoRecord done = p.record().completed(tick++, status, readHash);
            if (log != null) {
                log.set(done);
            }
            cache.completed(done);
        }
        p.bio().complete(status);
    }

    /** The requests submitted and not completed, in submission order. */
    public synchronized List<Bio> pending() {
        List<Bio> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            out.add(p.bio());
        }
        return out;
    }

    /** Completes one pending request (its completion callback runs on this thread). */
    public void complete(Bio bio) {
        Pending p;
        synchronized (this) {
            Long seq = pendingSeq.get(bio);
            if (seq == null) {
                throw new IllegalStateException(name + ": " + bio + " is not pending");
            }
            p = pending.get(seq);
        }
        finish(p);
    }

    /** Completes the {@code index}-th pending request (0 = the oldest). */
    public void complete(int index) {
        Pending p;
        synchronized (this) {
            if (index < 0 || index >= pending.size()) {
                throw new IllegalStateException(name + ": no pending request #" + index + " (" + pending.size()
                        + " pending)");
            }
            p = new ArrayList<>(pending.values()).get(index);
        }
        finish(p);
    }

    /** Completes a pending request picked uniformly by {@code rnd}; returns it, or null when none is pending. */
    public Bio completeRandom(SplittableRandom rnd) {
        Pending p;
        synchronized (this) {
            if (pending.isEmpty()) {
                return null;
            }
            p = new ArrayList<>(pending.values()).get(rnd.nextInt(pending.size()));
        }
        finish(p);
        return p.bio();
    }

    /**
     * Completes pending requests oldest first until none is left, including requests that completion callbacks
     * submit meanwhile; returns how many it completed.
     */
    public int completeAll() {
        int n = 0;
        while (true) {
            Pending p;
            synchronized (this) {
                if (pending.isEmpty()) {
                    return n;
                }
                p = pending.firstEntry().getValue();
            }
            finish(p);
            n++;
        }
    }

    /** Sets the thread that drives completions of this queued disk (null: completions come from elsewhere). */
    public void setDriver(Thread thread) {
        this.driver = thread;
    }

    @Override
    public boolean completesOnlyWhenDrivenBy(Thread thread) {
        return completion == Completion.QUEUED && driver == thread;
    }

    /** The crash states now, sectors tearing individually ({@code atomicSectors = 1}). */
    public CrashSpace crash() {
        return crash(1);
    }

    /** The crash states now, writes atomic in aligned groups of {@code atomicSectors} (see {@link CrashSpace}). */
    public synchronized CrashSpace crash(int atomicSectors) {
        return new CrashSpace(cache.durable().copy(), cache.crashWrites(), atomicSectors);
    }

    /** What reads would return now (a copy sharing pages with the disk). */
    public synchronized PageImage image() {
        return cache.current().copy();
    }

    /** What survives any crash now. */
    public synchronized PageImage durableImage() {
        return cache.durable().copy();
    }

    /** The image the disk started from. */
    public PageImage baseImage() {
        return base.copy();
    }

    /** Hash of {@link #image()}. */
    public synchronized ContentHash contentHash() {
        return cache.current().contentHash();
    }

    /** Reads the current content directly, without a request (not logged, no faults): for tests and checks. */
    public synchronized void peek(long sector, byte[] dst, int off, int count) {
        cache.current().read(sector, dst, off, count);
    }

    /** Completed writes not yet durable. */
    public synchronized int volatileWrites() {
        return cache.volatileCount();
    }

    /** The I/O log, or null when the disk was built without one. */
    public IoLog log() {
        return log;
    }

    public FaultPlan faultPlan() {
        return faults.plan();
    }

    /** Every fault that fired, in order. */
    public synchronized List<FaultEvent> faultEvents() {
        return List.copyOf(faults.events());
    }

    /**
     * A fresh disk that has run the logged requests again, in the logged interleaving, with the logged outcomes
     * (statuses, misdirections, drops, lying flushes) instead of a fault plan. Its image, durable image and log
     * equal the original's. Requests pending in the log stay pending on the new (queued) disk.
     */
    public static SimDisk replay(IoLog log) {
        return replay(log, new PageImage(log.sizeSectors()));
    }

    public static SimDisk replay(IoLog log, PageImage base) {
        SimDisk d = new SimDisk(builder(log.sizeSectors()).queued().base(base).name("replay"), log);
        d.setDriver(null);
        List<IoRecord> records = log.records();
        List<long[]> events = new ArrayList<>();
        for (IoRecord r : records) {
            events.add(new long[] {r.submitTick(), r.seq(), 0});
            if (r.isCompleted()) {
                events.add(new long[] {r.completeTick(), r.seq(), 1});
            }
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[2], b[2]));
        Bio[] bios = new Bio[records.size()];
        for (long[] e : events) {
            IoRecord r = records.get((int) e[1]);
            if (e[2] == 0) {
                bios[(int) r.seq()] = bioOf(r);
                d.submit(bios[(int) r.seq()]);
            } else {
                d.complete(bios[(int) r.seq()]);
            }
        }
        return d;
    }

    private static Bio bioOf(IoRecord r) {
        switch (r.op()) {
            case READ:
                return Bio.read(r.sector(), new byte[r.sectors() * SECTOR_SIZE], null);
            case WRITE:
                return Bio.write(r.sector(), r.data().clone(), r.fua(), r.preflush(), null);
            case FLUSH:
                return Bio.flush(null);
            case DISCARD:
                return Bio.discard(r.sector(), r.sectors(), null);
            default:
                throw new AssertionError(r.op());
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "SimDisk(" + name + ", " + sizeSectors + " sectors, " + completion + ")";
    }

    /** Options of a {@link SimDisk}. */
    public static final class Builder {
        private final long sizeSectors;
        private Completion completion = Completion.IMMEDIATE;
        private FaultPlan plan = FaultPlan.NONE;
        private PageImage base;
        private String name = "simdisk";
        private boolean recordLog = true;

        private Builder(long sizeSectors) {
            if (sizeSectors <= 0) {
                throw new IllegalArgumentException("device size must be positive: " + sizeSectors);
            }
            this.sizeSectors = sizeSectors;
        }

        public Builder completion(Completion c) {
            this.completion = c;
            return this;
        }

        public Builder queued() {
            return completion(Completion.QUEUED);
        }

        public Builder faults(FaultPlan p) {
            this.plan = p;
            return this;
        }

        /** Start from this content (durable); e.g. a crash state's {@link CrashState#materialize()}. */
        public Builder base(PageImage image) {
            this.base = image;
            return this;
        }

        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /**
         * Keep an I/O log (default true; it holds a copy of every written buffer). Without one, no data hashes
         * are computed either: the fastest disk for campaigns that only need crash states.
         */
        public Builder recordLog(boolean on) {
            this.recordLog = on;
            return this;
        }

        /** @throws org.eratestbed.device.BadInputException when the fault plan does not fit the device */
        public SimDisk build() {
            return new SimDisk(this, null);
        }
    }
}
