package org.eratestbed.device.sim;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.eratestbed.device.BlockDevice;

/**
 * The bytes of a sparse device: 4 KiB pages in a sorted map, unwritten space reads as zeroes.
 *
 * <p>Pages are never changed in place: a write replaces the page with a modified copy. That makes
 * {@link #copy()} a shallow copy of the page map (linear in the pages stored, never in the device size), so
 * the durable image behind a crash, and every crash state built on it, can share pages with the live disk.
 * A page that becomes all zeroes is dropped, so the map holds only non-zero content. The {@link ContentHash}
 * is computed when asked for and kept until the next change: it is an XOR over sectors of a hash that is 0 for
 * an all-zero sector, so it depends on the content only, and a disk written many times between two questions
 * (a recovery's metadata disk is never asked) does not hash every sector it writes. The map is sorted, so nothing here depends on hash iteration order.
 *
 * <p>The page map itself is shared between a copy and its original until either changes: a crash state's
 * image is a copy of the durable image, and a disk built on it copies it again, so most copies are never
 * written or written once. The first change to a shared map clones it (linear in the pages stored).
 */
public final class PageImage {
    public static final int PAGE_SECTORS = 8;
    public static final int PAGE_BYTES = PAGE_SECTORS * BlockDevice.SECTOR_SIZE;
    private static final int S = BlockDevice.SECTOR_SIZE;
    private static final byte[] ZERO_SECTOR = new byte[S];

    private final long sizeSectors;
    private TreeMap<Long, byte[]> pages;
    /** True while {@link #pages} may be shared with a copy: the next change must clone it first. */
    private volatile boolean shared;
    /** The content hash, or null when a change since it was computed made it stale. */
    private volatile ContentHash hash = new ContentHash(0, 0);

    public PageImage(long sizeSectors) {
        if (sizeSectors <= 0) {
            throw new IllegalArgumentException("device size must be positive: " + sizeSectors);
        }
        this.sizeSectors = sizeSectors;
        this.pages = new TreeMap<>();
    }

    private PageImage(PageImage other) {
        this.sizeSectors = other.sizeSectors;
        this.pages = other.pages;
        this.shared = true;
        this.hash = other.hash;
    }

    /** A copy that shares every page, and the page map, with this one (both are copy-on-write). */
    public PageImage copy() {
        shared = true;
        return new PageImage(this);
    }

    /** The page map, this image's own from now on: called before every change. */
    private TreeMap<Long, byte[]> own() {
        if (shared) {
            pages = new TreeMap<>(pages);
            shared = false;
        }
        return pages;
    }

    public long sizeSectors() {
        return sizeSectors;
    }

    /** Number of 4 KiB pages that hold non-zero data. */
    public int pagesStored() {
        return pages.size();
    }

    public ContentHash contentHash() {
        ContentHash h = hash;
        if (h == null) {
            long hi = 0;
            long lo = 0;
            for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
                long base = e.getKey() * PAGE_SECTORS;
                for (int i = 0; i < PAGE_SECTORS; i++) {
                    hi ^= SectorHash.hi(base + i, e.getValue(), i * S);
                    lo ^= SectorHash.lo(base + i, e.getValue(), i * S);
                }
            }
            h = new ContentHash(hi, lo);
            hash = h;
        }
        return h;
    }

    /** True when both images hold the same bytes everywhere (compares pages, not hashes). */
    public boolean sameContent(PageImage other) {
        if (pages == other.pages) {
            return true;
        }
        if (sizeSectors != other.sizeSectors || pages.size() != other.pages.size()) {
            return false;
        }
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            byte[] o = other.pages.get(e.getKey());
            if (o == null || (o != e.getValue() && !Arrays.equals(o, e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code count} sectors from {@code sector} into {@code dst} at {@code off}. */
    public void read(long sector, byte[] dst, int off, int count) {
        checkRange(sector, count);
        int done = 0;
        while (done < count) {
            long s = sector + done;
            int first = (int) (s % PAGE_SECTORS);
            int n = Math.min(PAGE_SECTORS - first, count - done);
            byte[] page = pages.get(s / PAGE_SECTORS);
            int at = off + done * S;
            if (page == null) {
                Arrays.fill(dst, at, at + n * S, (byte) 0);
            } else {
                System.arraycopy(page, first * S, dst, at, n * S);
            }
            done += n;
        }
    }

    /** The page holding {@code sector}, or null when it is all zeroes; callers must not modify it. */
    byte[] pageOf(long sector) {
        return pages.get(sector / PAGE_SECTORS);
    }

    /** The stored pages whose index lies in [fromPage, toPage), in order; read-only. */
    NavigableMap<Long, byte[]> pagesBetween(long fromPage, long toPage) {
        return pages.subMap(fromPage, true, toPage, false);
    }

    /** True when the sector holds only zeroes. */
    public boolean isZero(long sector) {
        byte[] page = pageOf(sector);
        return page == null || isZero(page, (int) (sector % PAGE_SECTORS) * S, S);
    }

    /** Writes {@code count} sectors from {@code src} at {@code off} to {@code sector}. */
    void write(long sector, byte[] src, int off, int count) {
        checkRange(sector, count);
        int done = 0;
        while (done < count) {
            long s = sector + done;
            long pageNo = s / PAGE_SECTORS;
            int first = (int) (s % PAGE_SECTORS);
            int n = Math.min(PAGE_SECTORS - first, count - done);
            byte[] old = pages.get(pageNo);
            int from = off + done * S;
            // Written bytes that are not all zero make the page non-zero: only a zero write needs the page scan.
            boolean zeroWrite = isZero(src, from, n * S);
            if (old == null && zeroWrite) {
                done += n;
                continue;
            }
            byte[] page = old == null ? new byte[PAGE_BYTES] : old.clone();
            System.arraycopy(src, from, page, first * S, n * S);
            hash = null;
            if (zeroWrite && isZero(page, 0, PAGE_BYTES)) {
                own().remove(pageNo);
            } else {
                own().put(pageNo, page);
            }
            done += n;
        }
    }

    /** Zeroes {@code count} sectors from {@code sector}; cost follows the pages stored there, not the range. */
    void zero(long sector, long count) {
        checkRange(sector, count);
        long end = sector + count;
        long firstFull = (sector + PAGE_SECTORS - 1) / PAGE_SECTORS;
        long endFull = end / PAGE_SECTORS;
        if (firstFull < endFull) {
            if (!pages.subMap(firstFull, true, endFull, false).isEmpty()) {
                hash = null;
                own().subMap(firstFull, true, endFull, false).clear();
            }
            zeroPartial(sector, Math.min(end, firstFull * PAGE_SECTORS));
            zeroPartial(Math.max(sector, endFull * PAGE_SECTORS), end);
        } else {
            zeroPartial(sector, end);
        }
    }

    /** Zeroes [from, to), which lies within one page or is empty, sector by sector. */
    private void zeroPartial(long from, long to) {
        for (long s = from; s < to; s++) {
            byte[] page = pageOf(s);
            if (page != null && !isZero(page, (int) (s % PAGE_SECTORS) * S, S)) {
                write(s, ZERO_SECTOR, 0, 1);
            }
        }
    }


    private static final byte[] ZERO_PAGE = new byte[PAGE_BYTES];

    static boolean isZero(byte[] b, int off, int len) {
        // Arrays.mismatch compares many bytes a step; every page written and every crash state goes through here.
        for (int from = off; from < off + len; from += PAGE_BYTES) {
            int n = Math.min(PAGE_BYTES, off + len - from);
            if (java.util.Arrays.mismatch(b, from, from + n, ZERO_PAGE, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    private void checkRange(long sector, long count) {
        if (sector < 0 || count < 0 || sector > sizeSectors - count) {
            throw new IllegalArgumentException("range " + sector + "+" + count + " outside a " + sizeSectors
                    + "-sector image");
        }
    }
}
