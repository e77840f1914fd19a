package org.eratestbed.model.pdata.sm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;
import org.eratestbed.model.pdata.block.ChecksummedValidator;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.junit.jupiter.api.Test;

/**
 * A fresh dm_tm_create_with_sm as dm-era formats (plus era's two empty btree leaves and its superblock
 * commit) must give the kernel's layout, byte for byte where section 2 of dm-era.md gives the bytes.
 */
class FreshFormatTest {
    private static final ChecksummedValidator LEAF = new ChecksummedValidator("leaf", BlockType.BTREE_NODE, 8);

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** create_fresh_metadata + write_superblock of dm-era on an 8 MiB device. */
    private static DmTransactionManager formatEraLike(MemDisk disk) {
        BlockManager bm = new BlockManager(disk, 5);
        DmTransactionManager tm = DmTransactionManager.createWithSm(bm, 0);
        // dm_btree_empty(writeset tree), dm_array_empty(era array): two new leaves
        for (int i = 0; i < 2; i++) {
            Block b = tm.newBlock(LEAF);
            tm.unlock(b);
        }
        TestSuperblock.format(tm);
        return tm;
    }

    @Test
    void createWithSmPutsIndexAtOneRefCountRootAtTwoBitmapAtThree() {
        MemDisk disk = MemDisk.mib(8);
        DmTransactionManager tm = formatEraLike(disk);
        SmRoot root = SmRoot.unpack(disk.block(0), TestSuperblock.SM_ROOT_OFFSET, 32);
        assertEquals(new SmRoot(2048, 6, 1, 2), root);

        byte[] index = disk.block(1);
        assertEquals(1L, le(index).getLong(8), "index blocknr");
        assertEquals(0, le(index).getInt(4), "index padding");
        assertEquals(Checksum.blockChecksum(index, BlockType.SM_INDEX), le(index).getInt(0));
        // entry 0: the bitmap at 3; the index was written by the space map's own commit before era
        // allocated its two leaves, so it says 4 used (16316 free, none free before 4) while 6 are used
        assertEquals(3L, le(index).getLong(16));
        assertEquals(16316, le(index).getInt(24));
        assertEquals(4, le(index).getInt(28));
        for (int off = 32; off < 4096; off++) {
            assertEquals(0, index[off], "index byte " + off + " past entry 0");
        }

        byte[] bitmap = disk.block(3);
        assertEquals(3L, le(bitmap).getLong(8), "bitmap blocknr");
        assertEquals(0, le(bitmap).getInt(4), "bitmap not_used");
        assertEquals(Checksum.blockChecksum(bitmap, BlockType.SM_BITMAP), le(bitmap).getInt(0));
        // blocks 0..5 at count 1: the odd (low) bit of entries 0..5 of word 0
        assertEquals(0xAAAL, le(bitmap).getLong(16));
        assertEquals(0x02, bitmap[16] & 0x03, "block 0 with count 1 is bit 1 of byte 16");
        for (int off = 24; off < 4096; off++) {
            assertEquals(0, bitmap[off], "bitmap byte " + off);
        }

        byte[] refCountRoot = disk.block(2);
        assertEquals(2L, le(refCountRoot).getLong(8));
        assertEquals(2, le(refCountRoot).getInt(4), "flags = LEAF");
        assertEquals(0, le(refCountRoot).getInt(16), "nr_entries");
        assertEquals(336, le(refCountRoot).getInt(20), "max_entries for 4-byte values");
        assertEquals(4, le(refCountRoot).getInt(24), "value_size");
        assertEquals(Checksum.blockChecksum(refCountRoot, BlockType.BTREE_NODE), le(refCountRoot).getInt(0));

        assertEquals(2048, tm.spaceMap().getNrBlocks());
        assertEquals(2048 - 6, tm.spaceMap().getNrFree());
    }

    @Test
    void formatWritesEverythingThenOneFlushLikeTheKernel() {
        MemDisk disk = MemDisk.mib(8);
        formatEraLike(disk);
        // write_superblock calls dm_tm_commit without dm_tm_pre_commit: one dm_bm_flush writes all six blocks
        assertEquals(java.util.List.of("W 0", "W 1", "W 2", "W 3", "W 4", "W 5", "F"), disk.log());
    }

    @Test
    void tenBlocksInUseOnA2048BlockDeviceLeave16310FreeInTheIndexEntry() {
        MemDisk disk = MemDisk.mib(8);
        DmTransactionManager tm = formatEraLike(disk);
        // allocate until 10 blocks are in use after a regular commit (the space map's own blocks move)
        while (true) {
            TestSuperblock.commit(tm);
            SmRoot root = SmRoot.unpack(disk.block(0), TestSuperblock.SM_ROOT_OFFSET, 32);
            if (root.nrAllocated() >= 10) {
                assertEquals(10, root.nrAllocated());
                byte[] index = disk.block(root.bitmapRoot());
                assertEquals(16310, le(index).getInt(24), "nr_free counts the entries past nr_blocks as free");
                assertEquals(2048 - 10, tm.spaceMap().getNrFree(), "used = 10 for dmsetup status");
                return;
            }
            Block b = tm.newBlock(LEAF);
            tm.unlock(b);
        }
    }

    @Test
    void firstTransactionAfterFormatAllocatesFromTheCursorAndMovesBitmapAndIndex() {
        MemDisk disk = MemDisk.mib(8);
        DmTransactionManager tm = formatEraLike(disk);
        MetadataSpaceMap sm = (MetadataSpaceMap) tm.spaceMap();
        Block b = tm.newBlock(LEAF);
        assertEquals(6, b.location(), "the cursor is one past the last allocation");
        tm.unlock(b);
        // counting block 6 shadowed the committed bitmap (3) to the next free block, 7
        assertEquals(7, sm.indexEntry(0).blocknr());
        assertEquals(0, sm.getCount(3));
        assertEquals(1, sm.getCount(7));
        TestSuperblock.commit(tm);
        // the sm commit shadowed the index (1) to 8: 3 is still in use by the committed transaction then
        SmRoot root = SmRoot.unpack(disk.block(0), TestSuperblock.SM_ROOT_OFFSET, 32);
        assertEquals(new SmRoot(2048, 7, 8, 2), root);
        byte[] index = disk.block(8);
        assertEquals(7L, le(index).getLong(16));
        assertEquals(16320 - 7, le(index).getInt(24));
    }
}
