package org.eratestbed.model.era.metadata;

import java.nio.ByteBuffer;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.BlockValidator;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * struct superblock_disk (packed, little-endian) and its validator. Offsets per reference section 2; the
 * space-map root at byte 44 is not 8-byte aligned (review point M5).
 */
public final class SuperblockDisk {
    public static final long SUPERBLOCK_LOCATION = 0;
    public static final long SUPERBLOCK_MAGIC = 2126579579L;
    public static final int MIN_ERA_VERSION = 1;
    public static final int MAX_ERA_VERSION = 1;
    public static final int SPACE_MAP_ROOT_SIZE = 128;
    public static final int UUID_LEN = 16;

    public static final int OFF_CSUM = 0;
    public static final int OFF_FLAGS = 4;
    public static final int OFF_BLOCKNR = 8;
    public static final int OFF_UUID = 16;
    public static final int OFF_MAGIC = 32;
    public static final int OFF_VERSION = 40;
    public static final int OFF_SM_ROOT = 44;
    public static final int OFF_DATA_BLOCK_SIZE = 172;
    public static final int OFF_METADATA_BLOCK_SIZE = 176;
    public static final int OFF_NR_BLOCKS = 180;
    public static final int OFF_CURRENT_ERA = 184;
    public static final int OFF_CURRENT_WRITESET = 188;
    public static final int OFF_WRITESET_TREE_ROOT = 200;
    public static final int OFF_ERA_ARRAY_ROOT = 208;
    public static final int OFF_METADATA_SNAP = 216;
    public static final int SIZE = 224;

    private SuperblockDisk() {
    }

    /** sb_validator: blocknr, magic, csum, version in the kernel's order and with its errors. */
    public static final BlockValidator VALIDATOR = new BlockValidator() {
        @Override
        public String name() {
            return "superblock";
        }

        @Override
        public String logPrefix() {
            return "era";
        }

        @Override
        public void prepareForWrite(Block b) {
            ByteBuffer le = b.le();
            le.putLong(OFF_BLOCKNR, b.location());
            le.putInt(OFF_CSUM, Checksum.blockChecksum(b.data(), BlockType.ERA_SUPERBLOCK));
        }

        @Override
        public void check(Block b) {
            ByteBuffer le = b.le();
            long blocknr = le.getLong(OFF_BLOCKNR);
            if (blocknr != b.location()) {
                throw new MetadataException(Errno.ENOTBLK,
                        "sb_check failed: blocknr " + Long.toUnsignedString(blocknr) + ": wanted " + b.location());
            }
            long magic = le.getLong(OFF_MAGIC);
            if (magic != SUPERBLOCK_MAGIC) {
                throw new MetadataException(Errno.EILSEQ,
                        "sb_check failed: magic " + Long.toUnsignedString(magic) + ": wanted " + SUPERBLOCK_MAGIC);
            }
            int csum = Checksum.blockChecksum(b.data(), BlockType.ERA_SUPERBLOCK);
            if (csum != le.getInt(OFF_CSUM)) {
                throw new MetadataException(Errno.EILSEQ, "sb_check failed: csum " + Integer.toUnsignedString(csum)
                        + ": wanted " + Integer.toUnsignedString(le.getInt(OFF_CSUM)));
            }
            int version = le.getInt(OFF_VERSION);
            if (version < MIN_ERA_VERSION || version > MAX_ERA_VERSION) {
                throw new MetadataException(Errno.EINVAL, "Era metadata version " + Integer.toUnsignedString(version)
                        + " found, but only versions between " + MIN_ERA_VERSION + " and " + MAX_ERA_VERSION
                        + " supported.");
            }
        }
    };
}
