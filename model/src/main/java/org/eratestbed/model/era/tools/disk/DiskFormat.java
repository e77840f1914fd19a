package org.eratestbed.model.era.tools.disk;

/**
 * Layout constants of dm-era metadata (version 1) and the persistent-data structures under it, as in
 * dm-era-target.c, dm-btree-internal.h, dm-array.c and dm-space-map-common.h.
 */
public final class DiskFormat {
    private DiskFormat() {
    }

    public static final int BLOCK_SIZE = BlockSource.BLOCK_SIZE;

    // era superblock (struct superblock_disk, packed)
    public static final long SUPERBLOCK_LOCATION = 0;
    public static final long SUPERBLOCK_MAGIC = 2126579579L;
    public static final int SUPERBLOCK_VERSION = 1;
    public static final int SB_FLAGS = 4;
    public static final int SB_BLOCKNR = 8;
    public static final int SB_UUID = 16;
    public static final int SB_MAGIC = 32;
    public static final int SB_VERSION = 40;
    public static final int SB_SM_ROOT = 44;
    public static final int SB_DATA_BLOCK_SIZE = 172;
    public static final int SB_METADATA_BLOCK_SIZE = 176;
    public static final int SB_NR_BLOCKS = 180;
    public static final int SB_CURRENT_ERA = 184;
    public static final int SB_CURRENT_WS_NR_BITS = 188;
    public static final int SB_CURRENT_WS_ROOT = 192;
    public static final int SB_WRITESET_TREE_ROOT = 200;
    public static final int SB_ERA_ARRAY_ROOT = 208;
    public static final int SB_METADATA_SNAP = 216;
    /** Metadata block size in sectors, the only value the kernel writes. */
    public static final int METADATA_BLOCK_SECTORS = 8;
    /** The data block size must be a positive multiple of this (valid_block_size). */
    public static final int MIN_DATA_BLOCK_SECTORS = 8;
    /** valid_nr_blocks(): origin blocks must stay below 2^31 (test_bit takes a signed int). */
    public static final long MAX_ORIGIN_BLOCKS = 1L << 31;

    // disk_sm_root, inside the superblock at SB_SM_ROOT
    public static final int SMR_NR_BLOCKS = 0;
    public static final int SMR_NR_ALLOCATED = 8;
    public static final int SMR_BITMAP_ROOT = 16;
    public static final int SMR_REF_COUNT_ROOT = 24;

    // btree node_header
    public static final int NODE_FLAGS = 4;
    public static final int NODE_BLOCKNR = 8;
    public static final int NODE_NR_ENTRIES = 16;
    public static final int NODE_MAX_ENTRIES = 20;
    public static final int NODE_VALUE_SIZE = 24;
    public static final int NODE_HEADER_SIZE = 32;
    public static final int INTERNAL_NODE = 1;
    public static final int LEAF_NODE = 2;
    /** Deeper than this a tree of at most MAX_METADATA_BLOCKS nodes cannot be (fan-out ≥ 67 below the root). */
    public static final int MAX_BTREE_DEPTH = 16;

    // array_block header
    public static final int AB_MAX_ENTRIES = 4;
    public static final int AB_NR_ENTRIES = 8;
    public static final int AB_VALUE_SIZE = 12;
    public static final int AB_BLOCKNR = 16;
    public static final int AB_HEADER_SIZE = 24;

    // space map
    public static final int SM_BITMAP_HEADER_SIZE = 16;
    public static final int ENTRIES_PER_BITMAP = (BLOCK_SIZE - SM_BITMAP_HEADER_SIZE) * 4;
    public static final int MAX_METADATA_BITMAPS = 255;
    /** DM_SM_METADATA_MAX_BLOCKS: no metadata block number can reach this. */
    public static final long MAX_METADATA_BLOCKS = (long) MAX_METADATA_BITMAPS * ENTRIES_PER_BITMAP;
    public static final int INDEX_ENTRIES_OFFSET = 16;
    public static final int INDEX_ENTRY_SIZE = 16;

    public static final int WRITESET_VALUE_SIZE = 12;
    public static final int ERA_VALUE_SIZE = 4;
    public static final int BITSET_WORD_SIZE = 8;
    public static final int BITS_PER_WORD = 64;

    public static int arrayMaxEntries(int valueSize) {
        return (BLOCK_SIZE - AB_HEADER_SIZE) / valueSize;
    }

    public static int btreeMaxEntries(int valueSize) {
        return 3 * (((BLOCK_SIZE - NODE_HEADER_SIZE) / (8 + valueSize)) / 3);
    }
}
