package org.eratestbed.device.sim;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * One state the medium may hold after the crash: a set of kept units over the shared durable image (see
 * {@link CrashSpace}). It is a read-only {@link BlockDevice} (reads resolve sector by sector, nothing is
 * copied); {@link #toDisk()} gives a fresh writable {@link SimDisk} whose durable image is this state, e.g. to
 * open and recover metadata on it.
 */
public final class CrashState implements BlockDevice {
    private static final byte[] ZERO_SECTOR = new byte[SECTOR_SIZE];
    private final CrashSpace space;
    private final long[] bits;
    private ContentHash hash;

    CrashState(CrashSpace space, long[] bits) {
        this.space = space;
        this.bits = bits;
    }

    public CrashSpace space() {
        return space;
    }

    /** This state's number in its space (see {@link CrashSpace}); {@code space().state(index())} is equal. */
    public BigInteger index() {
        BigInteger i = BigInteger.ZERO;
        for (int u = 0; u < space.units(); u++) {
            if (kept(u)) {
                i = i.setBit(u);
            }
        }
        return i;
    }

    public boolean kept(int unit) {
        return (bits[unit >>> 6] & (1L << unit)) != 0;
    }

    public ContentHash contentHash() {
        ContentHash h = hash;
        if (h == null) {
            h = space.hash(bits);
            hash = h;
        }
        return h;
    }

    @Override
    public long sizeSectors() {
        return space.sizeSectors();
    }

    @Override
    public String name() {
        return "crash-state-" + index();
    }

    /** Copies {@code count} sectors of this state from {@code sector} into {@code dst} at {@code off}. */
    public void read(long sector, byte[] dst, int off, int count) {
        // The durable image in one read, then the kept sectors of the candidates in the range over it: only
        // candidates differ between states, and a sector-by-sector read looked each sector up twice.
        space.durable().read(sector, dst, off, count);
        long[] cand = space.candidates();
        for (int i = CrashSpace.lowerBound(cand, sector); i < cand.length && cand[i] < sector + count; i++) {
            int u = space.keptUnitOfCandidate(bits, i);
            if (u >= 0) {
                readUnit(u, cand[i], dst, off + (int) (cand[i] - sector) * SECTOR_SIZE);
            }
        }
    }

    /** Sector {@code s} as kept unit {@code u} wrote it. */
    private void readUnit(int u, long s, byte[] dst, int off) {
        CrashWrite w = space.writes().get(space.unitWrite(u));
        if (w.isDiscard()) {
            System.arraycopy(ZERO_SECTOR, 0, dst, off, SECTOR_SIZE);
        } else {
            System.arraycopy(w.data(), w.offsetOf(s), dst, off, SECTOR_SIZE);
        }
    }

    /** Serves reads and (empty) flushes; a crash state is read-only, so writes are refused: use {@link #toDisk()}. */
    @Override
    public void submit(Bio bio) {
        bio.validate(sizeSectors());
        if (bio.op() == BioOp.WRITE || bio.op() == BioOp.DISCARD) {
            throw new UnsupportedOperationException(name() + " is read-only; write to its toDisk() copy");
        }
        if (bio.op() == BioOp.READ) {
            read(bio.sector(), bio.data(), 0, bio.sectors());
        }
        bio.complete(IoStatus.OK);
    }

    /** This state as a sparse image (a shallow copy of the durable image plus the kept sectors). */
    public PageImage materialize() {
        PageImage img = space.durable().copy();
        // Kept sectors that follow each other within a page go in one write: a write copies its page (the
        // image is copy-on-write) and a torn era block is several sectors of one page. Same content either way.
        byte[] buf = new byte[PageImage.PAGE_BYTES];
        long runStart = -1;
        int run = 0;
        long[] cand = space.candidates();
        for (int i = 0; i < cand.length; i++) {
            long s = cand[i];
            int u = space.keptUnitOfCandidate(bits, i);
            if (u < 0) {
                continue;
            }
            if (run > 0 && (s != runStart + run || s % PageImage.PAGE_SECTORS == 0)) {
                img.write(runStart, buf, 0, run);
                run = 0;
            }
            if (run == 0) {
                runStart = s;
            }
            readUnit(u, s, buf, run * SECTOR_SIZE);
            run++;
        }
        if (run > 0) {
            img.write(runStart, buf, 0, run);
        }
        return img;
    }

    /** A fresh immediate-mode disk whose durable (and current) image is this state. */
    public SimDisk toDisk() {
        return SimDisk.builder(sizeSectors()).base(materialize()).name(name()).build();
    }

    /** Per write: kept, lost or torn (with the kept sectors). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        int u = 0;
        for (int w = 0; w < space.writes().size(); w++) {
            CrashWrite cw = space.writes().get(w);
            int first = u;
            List<long[]> keptRanges = new ArrayList<>();
            int keptUnits = 0;
            while (u < space.units() && space.unitWrite(u) == w) {
                if (kept(u)) {
                    keptUnits++;
                    keptRanges.addAll(space.unitRanges(u));
                }
                u++;
            }
            int n = u - first;
            String what;
            if (n == 0) {
                what = "superseded";
            } else if (keptUnits == 0) {
                what = "lost";
            } else if (keptUnits == n) {
                what = "kept";
            } else {
                StringBuilder b = new StringBuilder("torn, kept ");
                for (long[] r : keptRanges) {
                    b.append(r[0]).append("..").append(r[1]).append(' ');
                }
                what = b.toString().strip();
            }
            parts.add("#" + cw.seq() + " " + (cw.isDiscard() ? "DISCARD " : "WRITE ") + cw.sector() + "+" + cw.sectors()
                    + (cw.inFlight() ? " (in flight)" : "") + ": " + what);
        }
        return parts.isEmpty() ? "durable image only (no volatile writes)" : String.join("; ", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrashState s && s.space == space && Arrays.equals(s.bits, bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return name() + " " + contentHash();
    }
}
