package org.eratestbed.model.era.tools.disk;

/** Little-endian field access; every on-disk integer is little-endian and many are unaligned. */
public final class Le {
    private Le() {
    }

    public static long u32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    public static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    public static void put32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    public static void put64(byte[] b, int off, long v) {
        put32(b, off, v);
        put32(b, off + 4, v >>> 32);
    }

    /** A u64 as the tools print it: unsigned decimal. */
    public static String u64String(long v) {
        return Long.toUnsignedString(v);
    }
}
