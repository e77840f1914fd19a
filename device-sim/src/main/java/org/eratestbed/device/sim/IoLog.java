package org.eratestbed.device.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every request a device received, in submission order ({@link IoRecord#seq()} = index), with what it did.
 *
 * <p>A log is enough to rebuild the medium: {@link SimDisk#replay(IoLog)} re-runs it into a fresh disk, and
 * {@link CrashSpace#fromLog(IoLog)} builds the crash states from it without any live disk — which is how
 * I/O recorded elsewhere (the real kernel's, through an NBD server) gets checked. {@link #before(long)} cuts
 * it at any tick, i.e. a crash at any point of the run. {@link IoLogFile} stores it on disk.
 */
public final class IoLog {
    private final long sizeSectors;
    private final List<IoRecord> records = new ArrayList<>();

    public IoLog(long sizeSectors) {
        if (sizeSectors <= 0) {
            throw new IllegalArgumentException("device size must be positive: " + sizeSectors);
        }
        this.sizeSectors = sizeSectors;
    }

    /** A log of the given records; they must be numbered 0, 1, … in order. */
    public IoLog(long sizeSectors, List<IoRecord> records) {
        this(sizeSectors);
        for (IoRecord r : records) {
            add(r);
        }
    }

    public long sizeSectors() {
        return sizeSectors;
    }

    public synchronized int size() {
        return records.size();
    }

    public synchronized IoRecord get(long seq) {
        return records.get(Math.toIntExact(seq));
    }

    /** An unmodifiable copy of the records, in submission order. */
    public synchronized List<IoRecord> records() {
        return Collections.unmodifiableList(new ArrayList<>(records));
    }

    /** The tick after the last event: the clock reading at which a crash now would happen. */
    public synchronized long endTick() {
        long end = 0;
        for (IoRecord r : records) {
            end = Math.max(end, Math.max(r.submitTick(), r.completeTick()) + 1);
        }
        return end;
    }

    synchronized void add(IoRecord r) {
        if (r.seq() != records.size()) {
            throw new IllegalArgumentException("record #" + r.seq() + " out of order; expected #" + records.size());
        }
        records.add(r);
    }

    synchronized void set(IoRecord r) {
        records.set(Math.toIntExact(r.seq()), r);
    }

    /**
     * The log as it stood when the clock read {@code tick}: only events with a tick below it happened; a request
     * submitted before and completed at or after it is still in flight.
     */
    public synchronized IoLog before(long tick) {
        IoLog cut = new IoLog(sizeSectors);
        for (IoRecord r : records) {
            if (r.submitTick() >= tick) {
                continue;
            }
            cut.records.add(r.isCompleted() && r.completeTick() >= tick ? r.pendingCopy() : r);
        }
        return cut;
    }

    /** One line per record (see {@link IoRecord#toString()}). */
    public synchronized String toText() {
        StringBuilder b = new StringBuilder();
        b.append("# io log: ").append(sizeSectors).append(" sectors, ").append(records.size()).append(" requests\n");
        for (IoRecord r : records) {
            b.append(r).append('\n');
        }
        return b.toString();
    }

    @Override
    public synchronized boolean equals(Object o) {
        return o instanceof IoLog l && l.sizeSectors == sizeSectors && l.records().equals(records);
    }

    @Override
    public synchronized int hashCode() {
        return records.hashCode();
    }

    @Override
    public String toString() {
        return "IoLog(" + sizeSectors + " sectors, " + size() + " requests)";
    }
}
