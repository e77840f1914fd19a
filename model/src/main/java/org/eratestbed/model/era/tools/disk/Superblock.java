package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;

/**
 * A decoded era superblock (struct superblock_disk): the live one at block 0 or a metadata-snapshot clone.
 * u32 fields are held as non-negative longs so that comparisons never wrap.
 */
public record Superblock(long location, long csum, long flags, long blocknr, boolean uuidZero, long magic, long version,
        SmRoot smRoot, long dataBlockSize, long metadataBlockSize, long nrBlocks, long currentEra,
        long currentWritesetNrBits, long currentWritesetRoot, long writesetTreeRoot, long eraArrayRoot,
        long metadataSnap) {

    /** struct disk_sm_root, the first 32 of the 128 space-map root bytes. */
    public record SmRoot(long nrBlocks, long nrAllocated, long bitmapRoot, long refCountRoot) {
    }

    public static Superblock decode(long location, byte[] b) {
        boolean uuidZero = true;
        for (int i = SB_UUID; i < SB_UUID + 16; i++) {
            uuidZero &= b[i] == 0;
        }
        SmRoot sm = new SmRoot(Le.u64(b, SB_SM_ROOT + SMR_NR_BLOCKS), Le.u64(b, SB_SM_ROOT + SMR_NR_ALLOCATED),
                Le.u64(b, SB_SM_ROOT + SMR_BITMAP_ROOT), Le.u64(b, SB_SM_ROOT + SMR_REF_COUNT_ROOT));
        return new Superblock(location, Le.u32(b, 0), Le.u32(b, SB_FLAGS), Le.u64(b, SB_BLOCKNR), uuidZero,
                Le.u64(b, SB_MAGIC), Le.u32(b, SB_VERSION), sm, Le.u32(b, SB_DATA_BLOCK_SIZE),
                Le.u32(b, SB_METADATA_BLOCK_SIZE), Le.u32(b, SB_NR_BLOCKS), Le.u32(b, SB_CURRENT_ERA),
                Le.u32(b, SB_CURRENT_WS_NR_BITS), Le.u64(b, SB_CURRENT_WS_ROOT), Le.u64(b, SB_WRITESET_TREE_ROOT),
                Le.u64(b, SB_ERA_ARRAY_ROOT), Le.u64(b, SB_METADATA_SNAP));
    }

    /** A name for messages: "superblock" or "metadata snapshot superblock". */
    public static String describe(long location) {
        return location == SUPERBLOCK_LOCATION ? "superblock" : "metadata snapshot superblock";
    }

    /**
     * Reads a superblock as the kernel's sb_check does: blocknr (-ENOTBLK), magic (-EILSEQ), checksum (-EILSEQ),
     * version (-EINVAL).
     */
    public static Superblock read(MetadataReader reader, long location) {
        String what = describe(location);
        byte[] data = reader.raw(location, what);
        Superblock sb = decode(location, data);
        if (sb.blocknr() != location) {
            throw new MetadataException(Errno.ENOTBLK, "block " + location + ": " + what + ": blocknr field is "
                    + Le.u64String(sb.blocknr()) + ", expected " + location);
        }
        if (sb.magic() != SUPERBLOCK_MAGIC) {
            throw new MetadataException(Errno.EILSEQ, "block " + location + ": " + what + ": magic "
                    + Le.u64String(sb.magic()) + ", expected " + SUPERBLOCK_MAGIC);
        }
        MetadataReader.checkChecksum(location, data, BlockType.ERA_SUPERBLOCK, what);
        if (sb.version() != SUPERBLOCK_VERSION) {
            throw new MetadataException(Errno.EINVAL, "block " + location + ": " + what + ": version "
                    + sb.version() + ", expected " + SUPERBLOCK_VERSION);
        }
        return sb;
    }

    /** The snapshot clone named by the live superblock; -EINVAL when none is held (as era_invalidate says). */
    public static Superblock readSnapshot(MetadataReader reader, Superblock live) {
        if (live.metadataSnap() == 0) {
            throw new MetadataException(Errno.EINVAL, "no metadata snapshot is held (superblock metadata_snap is 0)");
        }
        reader.checkAddressable(live.metadataSnap(), "metadata snapshot superblock named by the superblock");
        return read(reader, live.metadataSnap());
    }
}
