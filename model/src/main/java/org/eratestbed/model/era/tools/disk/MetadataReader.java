package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.AB_BLOCKNR;
import static org.eratestbed.model.era.tools.disk.DiskFormat.BLOCK_SIZE;
import static org.eratestbed.model.era.tools.disk.DiskFormat.MAX_METADATA_BLOCKS;
import static org.eratestbed.model.era.tools.disk.DiskFormat.NODE_BLOCKNR;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * Reads metadata blocks with the kernel's validators (dm_bm_read_lock + the block type's check): block
 * number first (-ENOTBLK), then checksum (-EILSEQ). A small LRU cache keeps repeated lookups (btree
 * descents, shared array blocks) from re-reading; returned arrays are shared and must not be modified.
 */
public final class MetadataReader {
    private static final int CACHE_BLOCKS = 256;

    private final BlockSource source;
    private final long limit;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(CACHE_BLOCKS * 2, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CACHE_BLOCKS;
        }
    };
    /** Blocks that already passed a type's check, so shared blocks are not checksummed again. */
    private final Map<Long, BlockType> checked = new LinkedHashMap<>(CACHE_BLOCKS * 2, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BlockType> eldest) {
            return size() > CACHE_BLOCKS * 16;
        }
    };

    public MetadataReader(BlockSource source) {
        this.source = source;
        this.limit = Math.min(source.nrBlocks(), MAX_METADATA_BLOCKS);
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
        byte[] data = cache.get(block);
        if (data == null) {
            data = new byte[BLOCK_SIZE];
            source.read(block, data);
            cache.put(block, data);
        }
        return data;
    }

    /** The block checked as {@code type}: its own location, then its checksum. */
    public byte[] checked(long block, BlockType type, String what) {
        byte[] data = raw(block, what);
        if (checked.get(block) == type) {
            return data;
        }
        int blocknrOffset = type == BlockType.ARRAY_BLOCK ? AB_BLOCKNR : NODE_BLOCKNR;
        long blocknr = Le.u64(data, blocknrOffset);
        if (blocknr != block) {
            throw new MetadataException(Errno.ENOTBLK, "block " + block + ": " + what + ": blocknr field is "
                    + Le.u64String(blocknr) + ", expected " + block);
        }
        checkChecksum(block, data, type, what);
        checked.put(block, type);
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
