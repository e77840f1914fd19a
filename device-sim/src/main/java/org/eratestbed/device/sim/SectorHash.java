package org.eratestbed.device.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.eratestbed.device.BlockDevice;

/**
 * The per-sector hash behind {@link ContentHash}: two independent 64-bit lanes over the sector number and
 * its 64 little-endian words. Not cryptographic: it tells crash states apart, it does not defend against an
 * adversary. An all-zero sector is exactly 0 in both lanes, so unwritten space costs nothing.
 */
final class SectorHash {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long SEED_HI = 0x243F6A8885A308D3L;
    private static final long SEED_LO = 0x13198A2E03707344L;
    private static final int WORDS = BlockDevice.SECTOR_SIZE / Long.BYTES;

    private SectorHash() {
    }

    /** The high lane of the hash of {@code buf[off, off+512)} as sector {@code sector}. */
    static long hi(long sector, byte[] buf, int off) {
        return lane(sector, buf, off, SEED_HI);
    }

    static long lo(long sector, byte[] buf, int off) {
        return lane(sector, buf, off, SEED_LO);
    }

    private static long lane(long sector, byte[] buf, int off, long seed) {
        long h = seed ^ (sector * P1);
        long any = 0;
        for (int i = 0; i < WORDS; i++) {
            long v = (long) LONGS.get(buf, off + i * Long.BYTES);
            any |= v;
            h = Long.rotateLeft(h + v * P2, 31) * P1;
        }
        if (any == 0) {
            return 0;
        }
        return fmix(h ^ sector);
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb93fe53a1c3fL;
        k ^= k >>> 33;
        return k;
    }
}
