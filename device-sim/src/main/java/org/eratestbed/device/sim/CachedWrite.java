package org.eratestbed.device.sim;

/**
 * A write (or discard) as the volatile cache holds it: where it landed, its data (null for a discard: zeroes),
 * and its live sectors — the ones no later durable write has superseded, which are the only sectors it can
 * still change in a crash. {@code ordinal} is its place in completion order (-1 while in flight).
 */
final class CachedWrite {
    final long seq;
    final long sector;
    final long sectors;
    final byte[] data;
    final Extents live;
    long ordinal = -1;

    CachedWrite(long seq, long sector, long sectors, byte[] data) {
        this.seq = seq;
        this.sector = sector;
        this.sectors = sectors;
        this.data = data;
        this.live = new Extents(sector, sector + sectors);
    }

    boolean isDiscard() {
        return data == null;
    }

    /** Writes this write's live sectors into {@code image}. */
    void applyLive(PageImage image) {
        for (long[] r : live.ranges()) {
            apply(image, r[0], r[1]);
        }
    }

    /** Writes the whole of this write into {@code image}. */
    void applyAll(PageImage image) {
        apply(image, sector, sector + sectors);
    }

    private void apply(PageImage image, long from, long to) {
        if (data == null) {
            image.zero(from, to - from);
        } else {
            image.write(from, data, Math.toIntExact((from - sector) * org.eratestbed.device.BlockDevice.SECTOR_SIZE),
                    Math.toIntExact(to - from));
        }
    }
}
