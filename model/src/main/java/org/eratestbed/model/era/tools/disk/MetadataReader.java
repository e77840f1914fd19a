package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.AB_BLOCKNR;
import static org.eratestbed.model.era.tools.disk.DiskFormat.BLOCK_SIZE;
import static org.eratestbed.model.era.tools.disk.DiskFormat.MAX_METADATA_BLOCKS;
import static org.eratestbed.model.era.tools.disk.DiskFormat.NODE_BLOCKNR;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * Reads metadata blocks with the kernel's validators (dm_bm_read_lock + the block type's check): block
 * number first (-ENOTBLK), then checksum (-EILSEQ). A small direct-mapped cache keeps repeated lookups
 * (btree descents, shared array blocks) from re-reading and re-checksumming. A returned array is never
 * changed afterwards (a miss reads into a new one) and must not be modified by the caller.
 */
public final class MetadataReader {
    /** Direct-mapped cache slots (4 MiB of blocks): no boxing or list churn on the hot path. */
    private static final int CACHE_SLOTS = 1024;

    private final BlockSource source;
    private final long limit;
    private final long[] tags = new long[CACHE_SLOTS];
    private final byte[][] blocks = new byte[CACHE_SLOTS][];
    /** The type each cached block already passed, so shared blocks are not checksummed again. */
    private final BlockType[] checkedAs = new BlockType[CACHE_SLOTS];

    public MetadataReader(BlockSource source) {
        this.source = source;
        this.limit = Math.min(source.nrBlocks(), MAX_METADATA_BLOCKS);
        java.util.Arrays.fill(tags, -1);
    }

    public long imageBlocks() {
        return source.nrBlocks();
    }

    /** Every valid block number is below this: the image's end, and the metadata space map's maximum. */
    public long limit() {
        return limit;
    }

    /** Checks that a pointer can be followed at all, naming what points there. */
    public void checkAddressable(long block, String what) {
        if (block < 0 || block >= limit) {
            String why = Long.compareUnsigned(block, MAX_METADATA_BLOCKS) >= 0
                    ? "beyond the largest metadata device (" + MAX_METADATA_BLOCKS + " blocks)"
                    : "past the end of the image (" + source.nrBlocks() + " blocks)";
            throw new MetadataException(Errno.EIO, "block " + Le.u64String(block) + ": " + what + ": " + why);
        }
    }

    /** The raw block, unchecked. */
    public byte[] raw(long block, String what) {
        checkAddressable(block, what);
        int slot = (int) (block % CACHE_SLOTS);
        if (tags[slot] != block) {
            // a fresh array: callers hold blocks across nested reads (a btree node while its children are read)
            byte[] data = new byte[BLOCK_SIZE];
            tags[slot] = -1;
            source.read(block, data);
            blocks[slot] = data;
            checkedAs[slot] = null;
            tags[slot] = block;
        }
        return blocks[slot];
    }

    /** The block checked as {@code type}: its own location, then its checksum. */
    public byte[] checked(long block, BlockType type, String what) {
        return checked(block, type, what, -1);
    }

    /**
     * As {@link #checked(long, BlockType, String)}, naming the block {@code what + " " + index} (index >= 0)
     * in errors; the name is only built when there is an error to report.
     */
    public byte[] checked(long block, BlockType type, String what, long index) {
        byte[] data = raw(block, what);
        int slot = (int) (block % CACHE_SLOTS);
        if (checkedAs[slot] == type) {
            return data;
        }
        int blocknrOffset = type == BlockType.ARRAY_BLOCK ? AB_BLOCKNR : NODE_BLOCKNR;
        long blocknr = Le.u64(data, blocknrOffset);
        String name = index < 0 ? what : what + " " + index;
        if (blocknr != block) {
            throw new MetadataException(Errno.ENOTBLK, "block " + block + ": " + name + ": blocknr field is "
                    + Le.u64String(blocknr) + ", expected " + block);
        }
        checkChecksum(block, data, type, name);
        checkedAs[slot] = type;
        return data;
    }

    static void checkChecksum(long block, byte[] data, BlockType type, String what) {
        int want = Checksum.blockChecksum(data, type);
        int found = (int) Le.u32(data, 0);
        if (want != found) {
            throw new MetadataException(Errno.EILSEQ, String.format("block %d: %s: checksum 0x%08x, expected 0x%08x",
                    block, what, found, want));
        }
    }
}
