package org.eratestbed.device.sim;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.IoStatus;

/**
 * The on-disk form of an {@link IoLog}: one binary file, big-endian (Java's DataOutput), self-contained.
 *
 * <pre>
 * header:  8 bytes  "ERAIOLOG"
 *          u32      version = 1
 *          u64      device size in sectors
 *          u32      number of records
 * record:  u64      seq                (must equal the record's index)
 *          u8       op                 (0 READ, 1 WRITE, 2 FLUSH, 3 DISCARD)
 *          u64      sector
 *          u32      sectors
 *          u8       flags              (bit 0 FUA, 1 PREFLUSH, 2 dropped, 3 flush ignored,
 *                                       4 has data hash, 5 has data, 6 completed)
 *          u64      submit tick
 *          u64      complete tick      (-1 when not completed)
 *          u8       status             (0 OK, 1 IOERR, 2 NOTSUPP, 255 none)
 *          u64      landed sector
 *          [32]     SHA-256 of the data          (if flag 4)
 *          u32 + n  the written data, n bytes    (if flag 5; n = 512 * sectors)
 * </pre>
 * A file that does not follow this (bad magic, version, truncation, inconsistent fields) is
 * {@link BadInputException} with the offending record's number.
 */
public final class IoLogFile {
    private static final byte[] MAGIC = "ERAIOLOG".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    public static final int VERSION = 1;

    private IoLogFile() {
    }

    public static void write(IoLog log, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            write(log, out);
        }
    }

    public static void write(IoLog log, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        List<IoRecord> records = log.records();
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(log.sizeSectors());
        out.writeInt(records.size());
        for (IoRecord r : records) {
            out.writeLong(r.seq());
            out.writeByte(r.op().ordinal());
            out.writeLong(r.sector());
            out.writeInt(r.sectors());
            byte[] hash = r.dataHash();
            int flags = (r.fua() ? 1 : 0) | (r.preflush() ? 2 : 0) | (r.dropped() ? 4 : 0) | (r.flushIgnored() ? 8 : 0)
                    | (hash != null ? 16 : 0) | (r.data() != null ? 32 : 0) | (r.isCompleted() ? 64 : 0);
            out.writeByte(flags);
            out.writeLong(r.submitTick());
            out.writeLong(r.completeTick());
            out.writeByte(r.status() == null ? 255 : r.status().ordinal());
            out.writeLong(r.landedSector());
            if (hash != null) {
                out.write(hash);
            }
            if (r.data() != null) {
                out.writeInt(r.data().length);
                out.write(r.data());
            }
        }
        out.flush();
    }

    public static IoLog read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, file.toString());
        }
    }

    public static IoLog read(InputStream stream, String what) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int n;
        long size;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BadInputException(what + ": not an I/O log (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new BadInputException(what + ": I/O log version " + version + ", only " + VERSION + " is known");
            }
            size = in.readLong();
            n = in.readInt();
        } catch (EOFException e) {
            throw new BadInputException(what + ": truncated I/O log header");
        }
        if (size <= 0 || n < 0) {
            throw new BadInputException(what + ": bad I/O log header (size " + size + ", " + n + " records)");
        }
        List<IoRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                records.add(readRecord(in, i, size, what));
            } catch (EOFException e) {
                throw new BadInputException(what + ": I/O log truncated in record " + i);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(what + ": record " + i + ": " + e.getMessage());
            }
        }
        return new IoLog(size, records);
    }

    private static IoRecord readRecord(DataInputStream in, int i, long size, String what) throws IOException {
        long seq = in.readLong();
        int opCode = in.readUnsignedByte();
        long sector = in.readLong();
        int sectors = in.readInt();
        int flags = in.readUnsignedByte();
        long submit = in.readLong();
        long complete = in.readLong();
        int statusCode = in.readUnsignedByte();
        long landed = in.readLong();
        String where = what + ": record " + i + ": ";
        if (seq != i) {
            throw new BadInputException(where + "sequence number " + seq);
        }
        if (opCode >= BioOp.values().length) {
            throw new BadInputException(where + "unknown op " + opCode);
        }
        BioOp op = BioOp.values()[opCode];
        if (op != BioOp.FLUSH && (sector < 0 || sectors <= 0 || sector > size - sectors
                || landed < 0 || landed > size - sectors)) {
            throw new BadInputException(where + "range " + sector + "+" + sectors + " (landed " + landed
                    + ") outside a " + size + "-sector device");
        }
        IoStatus status;
        if (statusCode == 255) {
            status = null;
        } else if (statusCode < IoStatus.values().length) {
            status = IoStatus.values()[statusCode];
        } else {
            throw new BadInputException(where + "unknown status " + statusCode);
        }
        if (((flags & 64) != 0) != (status != null)) {
            throw new BadInputException(where + "completed flag disagrees with the status");
        }
        byte[] hash = null;
        if ((flags & 16) != 0) {
            hash = new byte[32];
            in.readFully(hash);
        }
        byte[] data = null;
        if ((flags & 32) != 0) {
            int len = in.readInt();
            if (op != BioOp.WRITE || len != (long) sectors * 512) {
                throw new BadInputException(where + "data of " + len + " bytes for " + op + " of " + sectors + " sectors");
            }
            data = new byte[len];
            in.readFully(data);
        } else if (op == BioOp.WRITE) {
            throw new BadInputException(where + "WRITE without data");
        }
        return new IoRecord(seq, op, sector, sectors, (flags & 1) != 0, (flags & 2) != 0, data, hash, submit,
                status == null ? -1 : complete, status, landed, (flags & 4) != 0, (flags & 8) != 0);
    }
}
