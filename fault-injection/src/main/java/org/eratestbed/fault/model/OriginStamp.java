package org.eratestbed.fault.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.eratestbed.device.BlockDevice;

/**
 * The recognisable content of a campaign's origin writes: every 512-byte sector says which era block it was
 * written for, by which write (a sequence number, unique per run), in which era it was issued, and which
 * sector of the block it is. A read-back sector therefore names the write it came from even when a power cut
 * tore a block between two writes, or a device put the data somewhere else; an all-zero sector is the
 * origin's initial content (or a discard).
 */
public final class OriginStamp {
    /** "eraorign" in ASCII: a sector without it, and not all zeroes, is data nobody wrote. */
    static final long MAGIC = 0x6572616f7269676eL;

    /** What one sector holds: a stamped write, zeroes, or something else. */
    public record Sector(long block, long seq, int issueEra, int index) {
        public static final Sector ZERO = new Sector(-1, 0, 0, -1);
        public static final Sector FOREIGN = new Sector(-2, -1, 0, -2);

        public boolean isZero() {
            return this == ZERO;
        }

        @Override
        public String toString() {
            if (this == ZERO) {
                return "zeroes";
            }
            if (this == FOREIGN) {
                return "bytes no write of the run wrote";
            }
            return "write #" + seq + " (block " + block + " sector " + index + ", issued in era "
                    + Integer.toUnsignedString(issueEra) + ")";
        }
    }

    /** Big-endian views (ByteBuffer's order, which {@link #data} writes): every sector of every state is decoded. */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private OriginStamp() {
    }

    /** The data of write {@code seq} to era block {@code block} of {@code sectors} sectors. */
    public static byte[] data(long block, long seq, int issueEra, int sectors) {
        byte[] data = new byte[sectors * BlockDevice.SECTOR_SIZE];
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int k = 0; k < sectors; k++) {
            int off = k * BlockDevice.SECTOR_SIZE;
            b.putLong(off, MAGIC).putLong(off + 8, block).putLong(off + 16, seq).putInt(off + 24, issueEra)
                    .putInt(off + 28, k);
        }
        return data;
    }

    /** Decodes the sector at {@code off} of {@code buf}. */
    public static Sector decode(byte[] buf, int off) {
        if ((long) LONG.get(buf, off) == MAGIC) {
            if (!zeroes(buf, off + 32, off + BlockDevice.SECTOR_SIZE)) {
                return Sector.FOREIGN;
            }
            return new Sector((long) LONG.get(buf, off + 8), (long) LONG.get(buf, off + 16), (int) INT.get(buf, off + 24),
                    (int) INT.get(buf, off + 28));
        }
        return zeroes(buf, off, off + BlockDevice.SECTOR_SIZE) ? Sector.ZERO : Sector.FOREIGN;
    }

    private static final byte[] ZERO_SECTOR = new byte[BlockDevice.SECTOR_SIZE];

    /** Whether buf[from, to) is all zeroes ({@code Arrays.mismatch} compares many bytes a step: every sector of every state comes here). */
    private static boolean zeroes(byte[] buf, int from, int to) {
        return java.util.Arrays.mismatch(buf, from, to, ZERO_SECTOR, 0, to - from) < 0;
    }
}
