package org.eratestbed.model.era.tools.disk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian field access; every on-disk integer is little-endian and many are unaligned. Through byte-array
 * views, which the JIT turns into single loads and stores: the checkers read every space-map word of every crash
 * state a campaign checks, and assembling them byte by byte was most of a check's time.
 */
public final class Le {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    public static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong((int) INT.get(b, off));
    }

    public static long u64(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static void put32(byte[] b, int off, long v) {
        INT.set(b, off, (int) v);
    }

    public static void put64(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    /** A u64 as the tools print it: unsigned decimal. */
    public static String u64String(long v) {
        return Long.toUnsignedString(v);
    }
}
