package org.eratestbed.model.pdata.block;

import java.util.zip.CRC32C;

/**
 * The kernel's metadata checksum: {@code dm_bm_checksum(data, len, xor) = crc32c(~0, data, len) ^ xor},
 * the raw CRC register without the final inversion. java.util.zip.CRC32C returns the inverted (standard)
 * value, hence the extra {@code ^ 0xFFFFFFFF}.
 */
public final class Checksum {
    /** Every metadata block starts with its le32 checksum, which covers the rest of the block. */
    public static final int CSUM_SIZE = 4;

    private Checksum() {
    }

    public static int dmBmChecksum(byte[] data, int offset, int length, int salt) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue() ^ 0xFFFFFFFF ^ salt;
    }

    /** The checksum a metadata block of the given type must carry in its first four bytes. */
    public static int blockChecksum(byte[] block, BlockType type) {
        return dmBmChecksum(block, CSUM_SIZE, block.length - CSUM_SIZE, type.salt());
    }
}
