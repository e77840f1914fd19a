package org.eratestbed.model.dm;

import java.util.function.Consumer;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * The clone of a user bio that device-mapper hands to a target's map function: one piece of the user's
 * request, at most {@code max_io_len} sectors and never crossing a boundary of it. The target points it at
 * a device ({@link #remap}, the kernel's {@code bio_set_dev}); dm core (or the target itself, for a bio it
 * deferred) then submits it there, and its completion ends this piece of the user's bio.
 */
public final class DmBio {
    private final BioOp op;
    private final long sector;
    private final int sectors;
    private final byte[] data;
    private final boolean fua;
    private final boolean preflush;
    private final Consumer<IoStatus> endIo;
    private BlockDevice device;
    private boolean issued;
    private Object targetPrivate;

    DmBio(BioOp op, long sector, int sectors, byte[] data, boolean fua, boolean preflush, Consumer<IoStatus> endIo) {
        this.op = op;
        this.sector = sector;
        this.sectors = sectors;
        this.data = data;
        this.fua = fua;
        this.preflush = preflush;
        this.endIo = endIo;
    }

    public BioOp op() {
        return op;
    }

    /** bi_iter.bi_sector: the first sector, relative to the mapped device. */
    public long sector() {
        return sector;
    }

    public int sectors() {
        return sectors;
    }

    public boolean fua() {
        return fua;
    }

    /** REQ_PREFLUSH: only empty flushes reach a target with it (dm core splits off the data). */
    public boolean preflush() {
        return preflush;
    }

    /** bio_data_dir(bio) == WRITE: writes and discards. */
    public boolean isWrite() {
        return op == BioOp.WRITE || op == BioOp.DISCARD;
    }

    public BlockDevice device() {
        return device;
    }

    /** bio_set_dev. */
    public void remap(BlockDevice target) {
        this.device = target;
    }

    public Object targetPrivate() {
        return targetPrivate;
    }

    public void setTargetPrivate(Object value) {
        this.targetPrivate = value;
    }

    /** submit_bio_noacct: issues the clone to the device it was remapped to. */
    public void submit() {
        claim();
        if (device == null) {
            throw new IllegalStateException("bio submitted without a device: " + this);
        }
        Bio lower = switch (op) {
            case READ -> Bio.read(sector, data, b -> endIo.accept(b.status()));
            case WRITE -> Bio.write(sector, data, fua, b -> endIo.accept(b.status()));
            case FLUSH -> Bio.flush(b -> endIo.accept(b.status()));
            case DISCARD -> Bio.discard(sector, sectors, b -> endIo.accept(b.status()));
        };
        device.submit(lower);
    }

    /** bio_io_error / bio_endio with a status, without issuing it. */
    public void end(IoStatus status) {
        claim();
        endIo.accept(status);
    }

    private void claim() {
        if (issued) {
            throw new IllegalStateException("bio issued or ended twice: " + this);
        }
        issued = true;
    }

    @Override
    public String toString() {
        return op + (op == BioOp.FLUSH ? "" : " " + sector + "+" + sectors) + (fua ? " FUA" : "");
    }
}
