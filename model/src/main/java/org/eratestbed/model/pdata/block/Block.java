package org.eratestbed.model.pdata.block;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A locked 4 KiB metadata block (the kernel's struct dm_block): its location and its bytes. All on-disk
 * integers are little-endian; {@link #le()} is a little-endian view of the same bytes.
 */
public final class Block {
    private final long location;
    private final byte[] data;
    private final ByteBuffer le;

    public Block(long location, byte[] data) {
        this.location = location;
        this.data = data;
        this.le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public long location() {
        return location;
    }

    /** The block's bytes; writable only under a write lock. */
    public byte[] data() {
        return data;
    }

    /** Little-endian view of {@link #data()} (absolute get/put only; the position is shared). */
    public ByteBuffer le() {
        return le;
    }

    @Override
    public String toString() {
        return "block " + location;
    }
}
