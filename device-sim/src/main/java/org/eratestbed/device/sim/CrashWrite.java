package org.eratestbed.device.sim;

import org.eratestbed.device.BlockDevice;

/**
 * A write that a crash may or may not keep: request number, where it landed, its data (null: a discard,
 * i.e. zeroes), the sectors it can still change, and whether it was still in flight.
 */
public final class CrashWrite {
    private final long seq;
    private final long sector;
    private final long sectors;
    private final byte[] data;
    private final Extents live;
    private final boolean inFlight;

    CrashWrite(long seq, long sector, long sectors, byte[] data, Extents live, boolean inFlight) {
        this.seq = seq;
        this.sector = sector;
        this.sectors = sectors;
        this.data = data;
        this.live = live;
        this.inFlight = inFlight;
    }

    public long seq() {
        return seq;
    }

    public long sector() {
        return sector;
    }

    public long sectors() {
        return sectors;
    }

    public boolean isDiscard() {
        return data == null;
    }

    public boolean inFlight() {
        return inFlight;
    }

    /** Number of sectors this write can still change in a crash state. */
    public long liveSectors() {
        return live.count();
    }

    Extents live() {
        return live;
    }

    /** Offset of {@code s} in {@link #data}. */
    int offsetOf(long s) {
        return Math.toIntExact((s - sector) * BlockDevice.SECTOR_SIZE);
    }

    byte[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "#" + seq + (isDiscard() ? " DISCARD " : " WRITE ") + sector + "+" + sectors
                + (inFlight ? " in-flight" : "") + " live=" + live;
    }
}
