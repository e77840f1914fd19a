package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.fault.model.OriginStamp;
import org.eratestbed.fault.model.UserIo;

/**
 * The linear-data oracle (design oracle 5): what each origin block may hold, derived from the user's requests
 * alone — dm-era is a linear mapping, so reads must return what the block-device contract lets a disk hold.
 *
 * <p>A write W to a block is <em>promised</em> when the user may rely on it: at the end of a run, once it
 * completed OK; after a power cut, once it completed OK before a flush was submitted that then completed OK
 * (the cache contract: a flush covers what completed before it was issued). A promised write W' makes every
 * write that had completed before W' was submitted impossible to read back (it was overwritten, durably).
 * Everything else stays possible: writes in flight or failed (a device may or may not have applied them),
 * writes that raced W' (submitted before it completed, so either order is legal), and zeroes while no write to
 * the block is promised or a discard (whose content is undefined) is not superseded. Checked sector by sector,
 * since a power cut may tear a block between writes.
 */
final class LinearData {
    /** End of a run (every completion visible) or after a power cut (only flushed completions are promised). */
    enum Mode { END, CRASH }

    private record Req(long seq, long first, long count, long submitTick, long completeTick, boolean ok) {
        boolean completed() {
            return completeTick >= 0;
        }

        boolean covers(long block) {
            return block >= first && block < first + count;
        }
    }

    /**
     * The oracle that holds nothing against any content: for a run whose tables cut the origin into blocks of
     * another size than the metadata's (see {@link TableHistory#linearData}).
     */
    static final LinearData NO_CLAIMS = new LinearData(List.of(), Mode.END, 0);

    private final Mode mode;
    private final long blockSectors;
    private final Map<Long, List<Req>> writesByBlock = new HashMap<>();
    private final Map<Long, Req> writeBySeq = new HashMap<>();
    private final List<Req> discards = new ArrayList<>();
    private final List<Req> flushes = new ArrayList<>();
    /** Per block, computed when first asked: the oracle judges every sector of every crash state of a run. */
    private Allowed[] allowedByBlock = new Allowed[0];

    LinearData(List<UserIo> io, Mode mode, long blockSectors) {
        this.mode = mode;
        this.blockSectors = blockSectors;
        Map<String, long[]> open = new HashMap<>();
        List<UserIo[]> pairs = new ArrayList<>();
        for (int tick = 0; tick < io.size(); tick++) {
            UserIo e = io.get(tick);
            String key = e.op() + "#" + e.seq();
            if (e.phase() == UserIo.Phase.SUBMIT) {
                open.put(key, new long[] {tick, -1, 0});
                pairs.add(new UserIo[] {e, null});
            } else {
                long[] t = open.get(key);
                if (t != null) {
                    t[1] = tick;
                    t[2] = e.ok() ? 1 : 0;
                }
            }
        }
        for (UserIo[] p : pairs) {
            UserIo e = p[0];
            long[] t = open.get(e.op() + "#" + e.seq());
            Req r = new Req(e.seq(), e.first(), e.count(), t[0], t[1], t[2] == 1);
            switch (e.op()) {
                case WRITE -> {
                    writesByBlock.computeIfAbsent(e.first(), b -> new ArrayList<>()).add(r);
                    writeBySeq.put(e.seq(), r);
                }
                case DISCARD -> discards.add(r);
                case FLUSH -> flushes.add(r);
                default -> throw new AssertionError(e.op());
            }
        }
    }

    /** Whether the user may rely on {@code w} in this mode. */
    private boolean promised(Req w) {
        if (!w.completed() || !w.ok()) {
            return false;
        }
        if (mode == Mode.END) {
            return true;
        }
        for (Req f : flushes) {
            if (f.ok() && f.completed() && f.submitTick() > w.completeTick()) {
                return true;
            }
        }
        return false;
    }

    /** True when a promised write to {@code block} was submitted after {@code r} had completed. */
    private boolean superseded(Req r, long block) {
        if (!r.completed()) {
            return false;
        }
        for (Req w : writesByBlock.getOrDefault(block, List.of())) {
            if (w.submitTick() > r.completeTick() && promised(w)) {
                return true;
            }
        }
        return false;
    }

    /** The writes block {@code block} may hold (by sequence number, ascending), and whether zeroes are possible. */
    record Allowed(long[] writes, boolean zero) {
        boolean mayHold(long seq) {
            return java.util.Arrays.binarySearch(writes, seq) >= 0;
        }
    }

    Allowed allowed(long block) {
        int b = Math.toIntExact(block);
        if (b >= allowedByBlock.length) {
            allowedByBlock = java.util.Arrays.copyOf(allowedByBlock, Math.max(b + 1, 2 * allowedByBlock.length));
        }
        Allowed a = allowedByBlock[b];
        if (a == null) {
            a = compute(block);
            allowedByBlock[b] = a;
        }
        return a;
    }

    private Allowed compute(long block) {
        TreeSet<Long> ok = new TreeSet<>();
        boolean anyPromised = false;
        for (Req w : writesByBlock.getOrDefault(block, List.of())) {
            anyPromised |= promised(w);
            if (!superseded(w, block)) {
                ok.add(w.seq());
            }
        }
        boolean zero = !anyPromised;
        for (Req d : discards) {
            zero |= d.covers(block) && !superseded(d, block);
        }
        return new Allowed(ok.stream().mapToLong(Long::longValue).toArray(), zero);
    }

    /**
     * Checks the content of era blocks [0, nrBlocks) (as read, {@code blockSectors} sectors each); returns the
     * first sector that holds what it may not, described, or null.
     */
    String check(byte[] content, long nrBlocks) {
        if (this == NO_CLAIMS) {
            return null;
        }
        int sectorBytes = BlockDevice.SECTOR_SIZE;
        for (long b = 0; b < nrBlocks; b++) {
            Allowed allowed = null;
            for (int k = 0; k < blockSectors; k++) {
                int off = Math.toIntExact((b * blockSectors + k) * sectorBytes);
                OriginStamp.Sector s = OriginStamp.decode(content, off);
                if (allowed == null) {
                    allowed = allowed(b);
                }
                String why = judge(b, k, s, allowed);
                if (why != null) {
                    return why;
                }
            }
        }
        return null;
    }

    private String judge(long b, int k, OriginStamp.Sector s, Allowed allowed) {
        // The description is built only for a sector that fails: this runs for every sector of every state.
        if (s.isZero()) {
            return allowed.zero() ? null : where(b, k, s) + ", but it may only hold " + describe(allowed) + why(b, -1);
        }
        if (s == OriginStamp.Sector.FOREIGN) {
            return where(b, k, s) + "; it may only hold " + describe(allowed);
        }
        if (s.block() != b || s.index() != k) {
            return where(b, k, s) + ": data written for another place; it may only hold " + describe(allowed);
        }
        if (!allowed.mayHold(s.seq())) {
            return where(b, k, s) + ", but it may only hold " + describe(allowed) + why(b, s.seq());
        }
        return null;
    }

    private static String where(long b, int k, OriginStamp.Sector s) {
        return "origin block " + b + " sector " + k + " holds " + s;
    }

    private static String describe(Allowed a) {
        List<String> parts = new ArrayList<>();
        for (long seq : a.writes()) {
            parts.add("write #" + seq);
        }
        if (a.zero()) {
            parts.add("zeroes");
        }
        return parts.isEmpty() ? "nothing (no possible content)" : String.join(" or ", parts);
    }

    /** Which promised write rules out what was read (the stale write, or zeroes when {@code seq < 0}). */
    private String why(long block, long seq) {
        Req stale = seq < 0 ? null : writeBySeq.get(seq);
        for (Req w : writesByBlock.getOrDefault(block, List.of())) {
            if (promised(w) && (stale == null || (stale.completed() && w.submitTick() > stale.completeTick()))) {
                return " (write #" + w.seq() + " to it " + (mode == Mode.END ? "completed" : "completed and was flushed")
                        + (mode == Mode.CRASH ? " before the crash" : "") + ")";
            }
        }
        return stale == null ? "" : " (write #" + seq + " is not one of this block's writes)";
    }
}
