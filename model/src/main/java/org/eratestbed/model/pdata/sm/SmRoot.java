package org.eratestbed.model.pdata.sm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * struct disk_sm_root, the 32-byte space-map root a superblock embeds: {le64 nr_blocks; le64 nr_allocated;
 * le64 bitmap_root; le64 ref_count_root}. For the metadata space map {@code bitmapRoot} is the index block.
 * It may sit at any alignment inside its buffer (era's superblock puts it at offset 44).
 */
public record SmRoot(long nrBlocks, long nrAllocated, long bitmapRoot, long refCountRoot) {
    public static final int SIZE = 32;

    public static SmRoot unpack(byte[] buf, int offset, int len) {
        if (len < SIZE) {
            // the kernel's sm_ll_open_metadata returns -ENOMEM here ("sm_metadata root too small")
            throw new MetadataException(Errno.ENOMEM, "sm_metadata root too small: " + len + " bytes");
        }
        ByteBuffer le = ByteBuffer.wrap(buf, offset, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new SmRoot(le.getLong(offset), le.getLong(offset + 8), le.getLong(offset + 16), le.getLong(offset + 24));
    }

    public static SmRoot unpack(byte[] buf) {
        return unpack(buf, 0, buf.length);
    }

    public void pack(byte[] buf, int offset) {
        ByteBuffer le = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        le.putLong(offset, nrBlocks);
        le.putLong(offset + 8, nrAllocated);
        le.putLong(offset + 16, bitmapRoot);
        le.putLong(offset + 24, refCountRoot);
    }

    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        pack(b, 0);
        return b;
    }
}
