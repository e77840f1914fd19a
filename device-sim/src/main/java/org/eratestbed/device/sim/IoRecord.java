package org.eratestbed.device.sim;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.IoStatus;

/**
 * One request as the I/O log holds it.
 *
 * <p>{@code seq} is the submission number (0, 1, … in submission order). {@code submitTick} and
 * {@code completeTick} come from one clock that advances by one at every submission and every completion,
 * so they give both orders and how they interleave (a flush only covers writes that completed before it was
 * submitted). A request not completed yet has {@code completeTick = -1} and {@code status = null}.
 *
 * <p>{@code data} is the written data for WRITE (a private copy; null for READ, FLUSH and DISCARD);
 * {@code dataHash} is the SHA-256 of the written data, or of the data a successful READ returned, else null.
 * The effects say what the device really did, so that the log alone rebuilds the medium:
 * {@code landedSector} is where the data went (differs from {@code sector} for a misdirected write),
 * {@code dropped} means the write was never stored, {@code flushIgnored} that the flush (or preflush) made
 * nothing durable.
 */
public final class IoRecord {
    private final long seq;
    private final BioOp op;
    private final long sector;
    private final int sectors;
    private final boolean fua;
    private final boolean preflush;
    private final byte[] data;
    private final byte[] dataHash;
    private final long submitTick;
    private final long completeTick;
    private final IoStatus status;
    private final long landedSector;
    private final boolean dropped;
    private final boolean flushIgnored;

    public IoRecord(long seq, BioOp op, long sector, int sectors, boolean fua, boolean preflush, byte[] data,
            byte[] dataHash, long submitTick, long completeTick, IoStatus status, long landedSector, boolean dropped,
            boolean flushIgnored) {
        this.seq = seq;
        this.op = Objects.requireNonNull(op);
        this.sector = sector;
        this.sectors = sectors;
        this.fua = fua;
        this.preflush = preflush;
        this.data = data;
        this.dataHash = dataHash;
        this.submitTick = submitTick;
        this.completeTick = completeTick;
        this.status = status;
        this.landedSector = landedSector;
        this.dropped = dropped;
        this.flushIgnored = flushIgnored;
        if ((completeTick < 0) != (status == null)) {
            throw new IllegalArgumentException("a record has a completion tick exactly when it has a status");
        }
    }

    /** The same request, completed at {@code tick} with {@code status}. */
    IoRecord completed(long tick, IoStatus result, byte[] readHash) {
        return new IoRecord(seq, op, sector, sectors, fua, preflush, data, readHash != null ? readHash : dataHash,
                submitTick, tick, result, landedSector, dropped, flushIgnored);
    }

    /** The same request as it was before it completed. */
    IoRecord pendingCopy() {
        return new IoRecord(seq, op, sector, sectors, fua, preflush, data, op == BioOp.READ ? null : dataHash,
                submitTick, -1, null, landedSector, dropped, flushIgnored);
    }

    public long seq() {
        return seq;
    }

    public BioOp op() {
        return op;
    }

    public long sector() {
        return sector;
    }

    public int sectors() {
        return sectors;
    }

    public boolean fua() {
        return fua;
    }

    public boolean preflush() {
        return preflush;
    }

    /** The written data (WRITE only); the caller must not modify it. */
    public byte[] data() {
        return data;
    }

    public byte[] dataHash() {
        return dataHash == null ? null : dataHash.clone();
    }

    public long submitTick() {
        return submitTick;
    }

    public long completeTick() {
        return completeTick;
    }

    public boolean isCompleted() {
        return status != null;
    }

    public IoStatus status() {
        return status;
    }

    public long landedSector() {
        return landedSector;
    }

    public boolean dropped() {
        return dropped;
    }

    public boolean flushIgnored() {
        return flushIgnored;
    }

    public boolean isWrite() {
        return op == BioOp.WRITE || op == BioOp.DISCARD;
    }

    public boolean hasFlush() {
        return op == BioOp.FLUSH || (op == BioOp.WRITE && preflush);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IoRecord r)) {
            return false;
        }
        return seq == r.seq && op == r.op && sector == r.sector && sectors == r.sectors && fua == r.fua
                && preflush == r.preflush && Arrays.equals(data, r.data) && Arrays.equals(dataHash, r.dataHash)
                && submitTick == r.submitTick && completeTick == r.completeTick && status == r.status
                && landedSector == r.landedSector && dropped == r.dropped && flushIgnored == r.flushIgnored;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, op, sector, sectors, submitTick, completeTick, status, Arrays.hashCode(dataHash));
    }

    /** One line: {@code #seq op sector+sectors flags t=submit..complete status hash effects}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("#").append(seq).append(' ').append(op);
        if (op != BioOp.FLUSH) {
            b.append(' ').append(sector).append('+').append(sectors);
        }
        if (fua) {
            b.append(" FUA");
        }
        if (preflush && op != BioOp.FLUSH) {
            b.append(" PREFLUSH");
        }
        b.append(" t=").append(submitTick).append("..").append(completeTick < 0 ? "pending" : completeTick);
        b.append(' ').append(status == null ? "-" : status.name());
        if (dataHash != null) {
            b.append(" sha256=").append(HexFormat.of().formatHex(dataHash, 0, 8));
        }
        if (landedSector != sector) {
            b.append(" landed=").append(landedSector);
        }
        if (dropped) {
            b.append(" dropped");
        }
        if (flushIgnored) {
            b.append(" flush-ignored");
        }
        return b.toString();
    }
}
