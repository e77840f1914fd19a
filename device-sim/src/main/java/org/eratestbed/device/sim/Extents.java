package org.eratestbed.device.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of sectors as sorted, disjoint, non-adjacent half-open ranges [start, end). A cached write's live
 * sectors are its range minus what later durable writes have superseded; this keeps that cheap for a
 * discard of a whole device as much as for one 4 KiB write.
 */
final class Extents {
    private final List<long[]> ranges = new ArrayList<>();

    Extents(long start, long end) {
        if (start < end) {
            ranges.add(new long[] {start, end});
        }
    }

    private Extents() {
    }

    static Extents empty() {
        return new Extents();
    }

    Extents copy() {
        Extents e = new Extents();
        for (long[] r : ranges) {
            e.ranges.add(r.clone());
        }
        return e;
    }

    /** Adds [start, end), merging with neighbours. */
    void add(long start, long end) {
        if (start >= end) {
            return;
        }
        subtract(start, end);
        long s = start;
        long e = end;
        List<long[]> out = new ArrayList<>(ranges.size() + 1);
        for (long[] r : ranges) {
            if (r[1] == s) {
                s = r[0];
            } else if (r[0] == e) {
                e = r[1];
            } else {
                out.add(r);
            }
        }
        out.add(new long[] {s, e});
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        ranges.clear();
        ranges.addAll(out);
    }

    /** True when some sector of [start, end) is in the set. */
    boolean overlaps(long start, long end) {
        for (long[] r : ranges) {
            if (r[0] < end && start < r[1]) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The ranges in order; each element is {start, end}. Callers must not modify them. */
    List<long[]> ranges() {
        return ranges;
    }

    long count() {
        long n = 0;
        for (long[] r : ranges) {
            n += r[1] - r[0];
        }
        return n;
    }

    boolean contains(long sector) {
        for (long[] r : ranges) {
            if (sector < r[0]) {
                return false;
            }
            if (sector < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Removes [start, end) from the set. */
    void subtract(long start, long end) {
        if (start >= end) {
            return;
        }
        List<long[]> out = new ArrayList<>(ranges.size() + 1);
        for (long[] r : ranges) {
            if (r[1] <= start || r[0] >= end) {
                out.add(r);
                continue;
            }
            if (r[0] < start) {
                out.add(new long[] {r[0], start});
            }
            if (r[1] > end) {
                out.add(new long[] {end, r[1]});
            }
        }
        ranges.clear();
        ranges.addAll(out);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (long[] r : ranges) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(r[0]).append("..").append(r[1]);
        }
        return b.append('}').toString();
    }
}
