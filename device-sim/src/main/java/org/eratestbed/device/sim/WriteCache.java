package org.eratestbed.device.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.eratestbed.device.BioOp;

/**
 * The volatile write cache of a disk, driven only by {@link IoRecord}s — the live {@link SimDisk} and
 * {@link CrashSpace#fromLog(IoLog)} feed it the same records, so a crash built from a log is the crash of the
 * disk that wrote it.
 *
 * <p>Semantics (the Linux block layer's contract, taken at its weakest, because that is what code must
 * survive):
 * <ul>
 *   <li>A write that completes OK is visible to later reads at once ({@link #current()}) but only
 *       <em>volatile</em>: a crash may keep it, lose it, or keep any subset of its sectors.</li>
 *   <li>A FUA write is durable when it completes.</li>
 *   <li>A FLUSH, or the preflush of a WRITE with PREFLUSH, makes durable, when it completes OK, every write that
 *       had completed <em>before the flush was submitted</em>. Writes completing while the flush is in flight
 *       stay volatile: the kernel promises nothing about them.</li>
 *   <li>A DISCARD zeroes its range and is a write in all of the above.</li>
 *   <li>A failed or dropped write changes nothing. A flush that failed or lied makes nothing durable.</li>
 *   <li>A write in flight (submitted, not completed) may or may not have reached the medium: it is volatile for
 *       crash purposes, like a completed unflushed write, but invisible to reads until it completes.</li>
 * </ul>
 * When a write becomes durable, every older volatile write loses the sectors it covers (the durable write
 * completed later, so it wins those sectors in any crash); a volatile write with no live sector left drops out.
 */
final class WriteCache {
    private final PageImage current;
    private final PageImage durable;
    /** Completed, not yet durable, in completion order. */
    private final List<CachedWrite> volatileWrites = new ArrayList<>();
    /** Submitted, not yet completed, by submission number. */
    private final TreeMap<Long, CachedWrite> inFlight = new TreeMap<>();
    /** For each flush in flight: the completion ordinal it covers up to (exclusive). */
    private final TreeMap<Long, Long> barriers = new TreeMap<>();
    private long nextOrdinal;

    WriteCache(PageImage base) {
        this.current = base.copy();
        this.durable = base.copy();
    }

    /** What reads see: every completed write applied in completion order. */
    PageImage current() {
        return current;
    }

    PageImage durable() {
        return durable;
    }

    void submitted(IoRecord r) {
        if (r.hasFlush()) {
            barriers.put(r.seq(), nextOrdinal);
        }
        if (r.isWrite() && !r.dropped()) {
            byte[] data = r.op() == BioOp.DISCARD ? null : r.data();
            inFlight.put(r.seq(), new CachedWrite(r.seq(), r.landedSector(), r.sectors(), data));
        }
    }

    void completed(IoRecord r) {
        boolean ok = r.status().ok();
        if (r.hasFlush()) {
            Long barrier = barriers.remove(r.seq());
            if (ok && !r.flushIgnored()) {
                makeDurableBefore(barrier);
            }
        }
        if (!r.isWrite()) {
            return;
        }
        CachedWrite w = inFlight.remove(r.seq());
        if (w == null || !ok) {
            return;
        }
        w.ordinal = nextOrdinal++;
        w.applyAll(current);
        if (r.fua()) {
            w.applyAll(durable);
            supersede(w);
        } else {
            volatileWrites.add(w);
        }
    }

    private void makeDurableBefore(long ordinal) {
        Iterator<CachedWrite> it = volatileWrites.iterator();
        while (it.hasNext()) {
            CachedWrite w = it.next();
            if (w.ordinal >= ordinal) {
                break;
            }
            w.applyLive(durable);
            it.remove();
        }
    }

    private void supersede(CachedWrite durableWrite) {
        Iterator<CachedWrite> it = volatileWrites.iterator();
        while (it.hasNext()) {
            CachedWrite w = it.next();
            w.live.subtract(durableWrite.sector, durableWrite.sector + durableWrite.sectors);
            if (w.live.isEmpty()) {
                it.remove();
            }
        }
    }

    /** The writes a crash now may or may not keep: completed volatile ones, then those in flight. */
    List<CrashWrite> crashWrites() {
        List<CrashWrite> out = new ArrayList<>();
        for (CachedWrite w : volatileWrites) {
            out.add(new CrashWrite(w.seq, w.sector, w.sectors, w.data, w.live.copy(), false));
        }
        for (CachedWrite w : inFlight.values()) {
            out.add(new CrashWrite(w.seq, w.sector, w.sectors, w.data, w.live.copy(), true));
        }
        return out;
    }

    int volatileCount() {
        return volatileWrites.size();
    }

    int inFlightCount() {
        return inFlight.size();
    }
}
