package org.eratestbed.device;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One block I/O request, named after the kernel's struct bio.
 *
 * <p>For READ the device fills {@link #data()}; for WRITE it reads from it. FLUSH carries no data and no
 * range. DISCARD carries a range and no data. {@code sector} and {@code sectors} are in 512-byte units.
 * The completion ({@code endIo}) runs exactly once with the status; {@link #complete(IoStatus)} enforces that.
 */
public final class Bio {
    private final BioOp op;
    private final long sector;
    private final int sectors;
    private final byte[] data;
    private final boolean fua;
    private final boolean preflush;
    private final Consumer<Bio> endIo;
    private volatile IoStatus status;
    /** Free for the submitter (e.g. the era target keeps the era block here). */
    private Object privateData;

    private Bio(BioOp op, long sector, int sectors, byte[] data, boolean fua, boolean preflush, Consumer<Bio> endIo) {
        this.op = Objects.requireNonNull(op);
        this.sector = sector;
        this.sectors = sectors;
        this.data = data;
        this.fua = fua;
        this.preflush = preflush;
        this.endIo = endIo == null ? b -> { } : endIo;
    }

    public static Bio read(long sector, byte[] buffer, Consumer<Bio> endIo) {
        return new Bio(BioOp.READ, sector, sectorsOf(buffer), buffer, false, false, endIo);
    }

    public static Bio write(long sector, byte[] data, boolean fua, Consumer<Bio> endIo) {
        return new Bio(BioOp.WRITE, sector, sectorsOf(data), data, fua, false, endIo);
    }

    /** A write with REQ_PREFLUSH: everything completed before it is made durable, then the data is written. */
    public static Bio write(long sector, byte[] data, boolean fua, boolean preflush, Consumer<Bio> endIo) {
        return new Bio(BioOp.WRITE, sector, sectorsOf(data), data, fua, preflush, endIo);
    }

    public static Bio flush(Consumer<Bio> endIo) {
        return new Bio(BioOp.FLUSH, 0, 0, null, false, true, endIo);
    }

    public static Bio discard(long sector, int sectors, Consumer<Bio> endIo) {
        return new Bio(BioOp.DISCARD, sector, sectors, null, false, false, endIo);
    }

    private static int sectorsOf(byte[] buffer) {
        if (buffer == null) {
            throw new BadInputException("bio buffer is null");
        }
        if (buffer.length == 0 || buffer.length % BlockDevice.SECTOR_SIZE != 0) {
            throw new BadInputException("bio buffer of " + buffer.length + " bytes is not a positive multiple of "
                    + BlockDevice.SECTOR_SIZE);
        }
        return buffer.length / BlockDevice.SECTOR_SIZE;
    }

    /**
     * Checks the request against a device of {@code deviceSectors} sectors.
     *
     * @throws BadInputException if the range is negative, empty (for READ/WRITE/DISCARD) or past the end
     */
    public void validate(long deviceSectors) {
        if (op == BioOp.FLUSH) {
            return;
        }
        if (sector < 0) {
            throw new BadInputException("negative sector " + sector + " in " + this);
        }
        if (sectors <= 0) {
            throw new BadInputException("empty range in " + this);
        }
        if (sector > deviceSectors - sectors) {
            throw new BadInputException("range past the end of a " + deviceSectors + "-sector device in " + this);
        }
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

    public byte[] data() {
        return data;
    }

    public boolean fua() {
        return fua;
    }

    public boolean preflush() {
        return preflush;
    }

    public boolean isWrite() {
        return op == BioOp.WRITE || op == BioOp.DISCARD;
    }

    public IoStatus status() {
        return status;
    }

    public boolean completed() {
        return status != null;
    }

    public Object privateData() {
        return privateData;
    }

    public void setPrivateData(Object privateData) {
        this.privateData = privateData;
    }

    /** Ends the bio (the kernel's bio_endio). A second completion is a bug in the device and is refused. */
    public void complete(IoStatus result) {
        synchronized (this) {
            if (status != null) {
                throw new IllegalStateException("bio completed twice: " + this);
            }
            status = Objects.requireNonNull(result);
        }
        endIo.accept(this);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(op.name());
        if (op != BioOp.FLUSH) {
            b.append(' ').append(sector).append('+').append(sectors);
        }
        if (fua) {
            b.append(" FUA");
        }
        if (preflush && op != BioOp.FLUSH) {
            b.append(" PREFLUSH");
        }
        return b.toString();
    }
}
