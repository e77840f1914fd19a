package org.eratestbed.model.pdata.block;

/**
 * The metadata block types of an era device and the checksum salt ("xor") each is written with.
 * Salts from the kernel sources (dm-era-target.c, persistent-data/*), verified against kernel images.
 */
public enum BlockType {
    ERA_SUPERBLOCK(146538381),
    BTREE_NODE(121107),
    /** dm-array blocks, which also hold the words of a dm-bitset. */
    ARRAY_BLOCK(595846735),
    SM_BITMAP(240779),
    SM_INDEX(160478);

    private final int salt;

    BlockType(int salt) {
        this.salt = salt;
    }

    public int salt() {
        return salt;
    }
}
