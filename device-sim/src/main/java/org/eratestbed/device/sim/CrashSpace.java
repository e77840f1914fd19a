package org.eratestbed.device.sim;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every state a disk's medium may hold after a power cut at one moment.
 *
 * <h2>The state space</h2>
 * The medium holds the durable image plus some of the cache's writes (see {@link WriteCache} for which writes
 * are durable and which are not). The writes a crash may or may not keep are {@link #writes()}: the completed
 * volatile writes in completion order, then the writes in flight in submission order. Each write is cut into
 * <em>units</em>, the pieces that reach the medium atomically: with {@code atomicSectors = a}, the write's live
 * sectors that share one aligned group of {@code a} sectors ({@code a = 1}: every sector may tear on its own,
 * the default; {@code a = 8}: 4 KiB-atomic, like a 4Kn disk; {@link #WHOLE_WRITES}: a write is all or nothing).
 * A DISCARD is always one unit: the device changes a mapping, it does not write sectors one by one.
 *
 * <p>A crash state is any subset of the units, so there are exactly {@code 2^units} states (per write: absent,
 * present, or torn into any proper subset). State number {@code i} keeps unit {@code u} iff bit {@code u} of
 * {@code i} is set; units are numbered write by write, in the order above, and by sector within a write.
 * A sector's content in a state is that of the last kept unit covering it (kept writes land in the order
 * above), or the durable content if none covers it. Different states may hold the same bytes (e.g. when a
 * later write overwrites an earlier one entirely); they are still counted as different states.
 *
 * <h2>Cost</h2>
 * Nothing copies the device per state. The space precomputes, for every <em>candidate</em> sector (a sector of
 * a data write, or a non-zero durable sector under a discard), which units cover it and their sector hashes; a
 * state is a bit set, its hash is the durable hash corrected on candidate sectors only, and its reads go to the
 * covering unit or to the shared durable image.
 */
public final class CrashSpace {
    /** States are enumerated exhaustively up to this many (16 units); beyond it they are sampled. */
    public static final int EXHAUSTIVE_LIMIT = 1 << 16;
    /** {@code atomicSectors} value for "a write is never torn". */
    public static final int WHOLE_WRITES = 0;

    private final PageImage durable;
    private final List<CrashWrite> writes;
    private final int atomicSectors;
    private final int units;
    private final int[] unitWrite;
    private final List<List<long[]>> unitRanges;
    private final long[] cand;
    private final int[] coverStart;
    private final int[] coverUnit;
    private final long[] coverHi;
    private final long[] coverLo;
    private final long[] baseHi;
    private final long[] baseLo;

    CrashSpace(PageImage durable, List<CrashWrite> writes, int atomicSectors) {
        if (atomicSectors < 0) {
            throw new IllegalArgumentException("atomicSectors must be >= 0: " + atomicSectors);
        }
        this.durable = durable;
        this.writes = Collections.unmodifiableList(new ArrayList<>(writes));
        this.atomicSectors = atomicSectors;

        List<Integer> uw = new ArrayList<>();
        List<List<long[]>> ur = new ArrayList<>();
        for (int w = 0; w < writes.size(); w++) {
            CrashWrite cw = writes.get(w);
            if (cw.live().isEmpty()) {
                continue;
            }
            if (cw.isDiscard() || atomicSectors == WHOLE_WRITES) {
                uw.add(w);
                ur.add(copyRanges(cw.live().ranges()));
                continue;
            }
            long group = -1;
            for (long[] r : cw.live().ranges()) {
                long s = r[0];
                while (s < r[1]) {
                    long g = s / atomicSectors;
                    long e = Math.min(r[1], (g + 1) * atomicSectors);
                    if (g != group) {
                        uw.add(w);
                        ur.add(new ArrayList<>());
                        group = g;
                    }
                    ur.get(ur.size() - 1).add(new long[] {s, e});
                    s = e;
                }
            }
        }
        this.units = uw.size();
        this.unitWrite = uw.stream().mapToInt(Integer::intValue).toArray();
        this.unitRanges = ur;

        TreeSet<Long> candidates = new TreeSet<>();
        for (int u = 0; u < units; u++) {
            CrashWrite cw = writes.get(unitWrite[u]);
            for (long[] r : ur.get(u)) {
                if (cw.isDiscard()) {
                    addNonZeroDurable(candidates, r[0], r[1]);
                } else {
                    for (long s = r[0]; s < r[1]; s++) {
                        candidates.add(s);
                    }
                }
            }
        }
        this.cand = candidates.stream().mapToLong(Long::longValue).toArray();
        this.baseHi = new long[cand.length];
        this.baseLo = new long[cand.length];
        for (int i = 0; i < cand.length; i++) {
            byte[] page = durable.pageOf(cand[i]);
            if (page != null) {
                int off = (int) (cand[i] % PageImage.PAGE_SECTORS) * 512;
                baseHi[i] = SectorHash.hi(cand[i], page, off);
                baseLo[i] = SectorHash.lo(cand[i], page, off);
            }
        }
        // Covers, grouped by candidate, units in increasing order (so "last kept" is a backwards scan).
        int[] counts = new int[cand.length + 1];
        forEachCover((i, u) -> counts[i + 1]++);
        for (int i = 0; i < cand.length; i++) {
            counts[i + 1] += counts[i];
        }
        this.coverStart = counts.clone();
        int total = counts[cand.length];
        this.coverUnit = new int[total];
        this.coverHi = new long[total];
        this.coverLo = new long[total];
        int[] fill = Arrays.copyOf(counts, cand.length);
        forEachCover((i, u) -> {
            int k = fill[i]++;
            coverUnit[k] = u;
            CrashWrite cw = writes.get(unitWrite[u]);
            if (!cw.isDiscard()) {
                coverHi[k] = SectorHash.hi(cand[i], cw.data(), cw.offsetOf(cand[i]));
                coverLo[k] = SectorHash.lo(cand[i], cw.data(), cw.offsetOf(cand[i]));
            }
        });
    }

    private interface CoverSink {
        void accept(int candidate, int unit);
    }

    private void forEachCover(CoverSink sink) {
        for (int u = 0; u < units; u++) {
            for (long[] r : unitRanges.get(u)) {
                int i = lowerBound(cand, r[0]);
                while (i < cand.length && cand[i] < r[1]) {
                    sink.accept(i, u);
                    i++;
                }
            }
        }
    }

    private void addNonZeroDurable(TreeSet<Long> out, long from, long to) {
        long firstPage = from / PageImage.PAGE_SECTORS;
        long endPage = (to + PageImage.PAGE_SECTORS - 1) / PageImage.PAGE_SECTORS;
        for (Map.Entry<Long, byte[]> e : durable.pagesBetween(firstPage, endPage).entrySet()) {
            long base = e.getKey() * PageImage.PAGE_SECTORS;
            for (int k = 0; k < PageImage.PAGE_SECTORS; k++) {
                long s = base + k;
                if (s >= from && s < to && !PageImage.isZero(e.getValue(), k * 512, 512)) {
                    out.add(s);
                }
            }
        }
    }

    private static List<long[]> copyRanges(List<long[]> ranges) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(r.clone());
        }
        return out;
    }

    static int lowerBound(long[] a, long key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The crash states of a recorded run: the medium as the log left it, starting from a zeroed device. */
    public static CrashSpace fromLog(IoLog log) {
        return fromLog(log, new PageImage(log.sizeSectors()), 1);
    }

    /**
     * The crash states of a recorded run that started from {@code base}, with writes atomic in groups of
     * {@code atomicSectors} (1: any sector may tear; {@link #WHOLE_WRITES}: none does). To crash at an earlier
     * point, cut the log first with {@link IoLog#before(long)}.
     */
    public static CrashSpace fromLog(IoLog log, PageImage base, int atomicSectors) {
        if (base.sizeSectors() != log.sizeSectors()) {
            throw new IllegalArgumentException("base image has " + base.sizeSectors() + " sectors, the log "
                    + log.sizeSectors());
        }
        List<IoRecord> records = log.records();
        List<long[]> events = new ArrayList<>();
        for (IoRecord r : records) {
            events.add(new long[] {r.submitTick(), r.seq(), 0});
            if (r.isCompleted()) {
                events.add(new long[] {r.completeTick(), r.seq(), 1});
            }
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[2], b[2]));
        WriteCache cache = new WriteCache(base);
        for (long[] e : events) {
            IoRecord r = records.get((int) e[1]);
            if (e[2] == 0) {
                cache.submitted(r);
            } else {
                cache.completed(r);
            }
        }
        return new CrashSpace(cache.durable().copy(), cache.crashWrites(), atomicSectors);
    }

    /** Exactly how many states there are: {@code 2^units()}. */
    public BigInteger count() {
        return BigInteger.ONE.shiftLeft(units);
    }

    /** Number of atomic units; the space has {@code 2^units} states. */
    public int units() {
        return units;
    }

    public boolean isExhaustive(long limit) {
        return count().compareTo(BigInteger.valueOf(limit)) <= 0;
    }

    /** The writes a crash may keep, in the order they land (see the class comment). */
    public List<CrashWrite> writes() {
        return writes;
    }

    public int atomicSectors() {
        return atomicSectors;
    }

    public long sizeSectors() {
        return durable.sizeSectors();
    }

    /** The durable image: what every state holds outside the writes' live sectors. Do not modify. */
    public PageImage durable() {
        return durable;
    }

    /** Hashed when first asked (the image caches it): checking states by reading them never needs it. */
    public ContentHash durableHash() {
        return durable.contentHash();
    }

    /** All states up to {@link #EXHAUSTIVE_LIMIT}, else that many sampled uniformly from {@code seed}. */
    public CrashSelection select(long seed) {
        return select(seed, EXHAUSTIVE_LIMIT);
    }

    /** All states when there are at most {@code limit}, else {@code limit} distinct ones sampled from {@code seed}. */
    public CrashSelection select(long seed, long limit) {
        return new CrashSelection(this, seed, limit);
    }

    /** State number {@code index} (0 ≤ index < count()). */
    public CrashState state(BigInteger index) {
        if (index.signum() < 0 || index.bitLength() > units) {
            throw new IllegalArgumentException("state " + index + " outside 0.." + count().subtract(BigInteger.ONE));
        }
        long[] bits = new long[words()];
        for (int u = 0; u < units; u++) {
            if (index.testBit(u)) {
                bits[u >>> 6] |= 1L << u;
            }
        }
        return new CrashState(this, bits);
    }

    /** The state that keeps every write whole: the medium if the cache had been flushed. */
    public CrashState allKept() {
        return state(count().subtract(BigInteger.ONE));
    }

    /** The state that keeps nothing volatile: the durable image alone. */
    public CrashState noneKept() {
        return state(BigInteger.ZERO);
    }

    int words() {
        return Math.max(1, (units + 63) >>> 6);
    }

    int unitWrite(int unit) {
        return unitWrite[unit];
    }

    List<long[]> unitRanges(int unit) {
        return unitRanges.get(unit);
    }

    /** The content hash of the state whose kept units are {@code bits}. */
    ContentHash hash(long[] bits) {
        ContentHash durableHash = durableHash();
        long hi = durableHash.hi();
        long lo = durableHash.lo();
        for (int i = 0; i < cand.length; i++) {
            for (int k = coverStart[i + 1] - 1; k >= coverStart[i]; k--) {
                int u = coverUnit[k];
                if ((bits[u >>> 6] & (1L << u)) != 0) {
                    hi ^= baseHi[i] ^ coverHi[k];
                    lo ^= baseLo[i] ^ coverLo[k];
                    break;
                }
            }
        }
        return new ContentHash(hi, lo);
    }

    /**
     * The unit whose content candidate sector number {@code i} ({@code candidates()[i]}) holds in state
     * {@code bits}, or -1 for the durable content.
     */
    int keptUnitOfCandidate(long[] bits, int i) {
        for (int k = coverStart[i + 1] - 1; k >= coverStart[i]; k--) {
            int u = coverUnit[k];
            if ((bits[u >>> 6] & (1L << u)) != 0) {
                return u;
            }
        }
        return -1;
    }

    /** The candidate sectors, in order: the only sectors where states differ from the durable image. */
    long[] candidates() {
        return cand;
    }

    @Override
    public String toString() {
        return "CrashSpace(" + writes.size() + " writes, " + units + " units, " + count() + " states)";
    }
}
