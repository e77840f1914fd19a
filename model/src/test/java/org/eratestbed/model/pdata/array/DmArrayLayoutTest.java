package org.eratestbed.model.pdata.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeNode;
import org.eratestbed.model.pdata.btree.MemoryTransactionManager;
import org.eratestbed.model.pdata.btree.ValueType;
import org.junit.jupiter.api.Test;

/** Byte layout of dm-array blocks and the index btree (reference dm-era.md section 2, dm-array). */
class DmArrayLayoutTest {

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] le32(int v) {
        return le(new byte[4]).putInt(0, v).array();
    }

    private static long ablock(ArrayInfo info, long root, long k) {
        return le(BTree.lookup(info.btreeInfo(), root, k)).getLong(0);
    }

    @Test
    void eraArrayOf1024BlocksIsTwoArrayBlocks() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.empty(info);
        byte[] emptyLeaf = tm.rawBlock(root);
        assertEquals(252, le(emptyLeaf).getInt(BTreeNode.OFF_MAX_ENTRIES), "the index btree has 8-byte values");
        assertEquals(8, le(emptyLeaf).getInt(BTreeNode.OFF_VALUE_SIZE));

        root = DmArray.resize(info, root, 0, 1024, le32(0));
        ByteBuffer leaf = le(tm.rawBlock(root));
        assertEquals(2, leaf.getInt(BTreeNode.OFF_NR_ENTRIES));
        assertEquals(0, leaf.getLong(32));
        assertEquals(1, leaf.getLong(40));
        assertEquals(ablock(info, root, 0), leaf.getLong(32 + 8 * 252), "value 0 at the value base");

        for (int k = 0; k < 2; k++) {
            long b = ablock(info, root, k);
            byte[] d = tm.rawBlock(b);
            ByteBuffer h = le(d);
            assertEquals(Checksum.blockChecksum(d, BlockType.ARRAY_BLOCK), h.getInt(0), "csum, array salt");
            assertEquals(1018, h.getInt(4), "max_entries");
            assertEquals(k == 0 ? 1018 : 6, h.getInt(8), "nr_entries");
            assertEquals(4, h.getInt(12), "value_size");
            assertEquals(b, h.getLong(16), "blocknr at 16");
            for (int i = 24 + 4 * h.getInt(8); i < 4096; i++) {
                assertEquals(0, d[i], "byte " + i);
            }
        }
        assertEquals(1018, ArrayBlock.calcMaxEntries(4, 4096));
        assertEquals(509, ArrayBlock.calcMaxEntries(8, 4096));
    }

    @Test
    void elementOffsetsAndFiveThousandBlocks() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 5000, le32(0));
        root = DmArray.setValue(info, root, 1017, le32(7));
        root = DmArray.setValue(info, root, 1018, le32(8));
        root = DmArray.setValue(info, root, 4999, le32(9));
        assertEquals(5, le(tm.rawBlock(root)).getInt(BTreeNode.OFF_NR_ENTRIES), "5000 entries = 5 array blocks");
        assertEquals(7, le(tm.rawBlock(ablock(info, root, 0))).getInt(24 + 4 * 1017));
        assertEquals(8, le(tm.rawBlock(ablock(info, root, 1))).getInt(24));
        ByteBuffer last = le(tm.rawBlock(ablock(info, root, 4)));
        assertEquals(5000 - 4 * 1018, last.getInt(8));
        assertEquals(9, last.getInt(24 + 4 * (4999 - 4 * 1018)));
    }

    @Test
    void growAcrossABlockBoundaryExtendsTheTailThenAddsBlocks() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 1000, le32(1));
        long tail = ablock(info, root, 0);
        tm.commitTransaction();
        root = DmArray.resize(info, root, 1000, 3000, le32(2));
        long copied = ablock(info, root, 0);
        assertFalse(copied == tail, "a committed array block is copied, not written");
        assertEquals(1000, le(tm.rawBlock(tail)).getInt(8), "the committed block is untouched");
        ByteBuffer b0 = le(tm.rawBlock(copied));
        assertEquals(1018, b0.getInt(8));
        assertEquals(1, b0.getInt(24 + 4 * 999));
        assertEquals(2, b0.getInt(24 + 4 * 1000));
        assertEquals(1018, le(tm.rawBlock(ablock(info, root, 1))).getInt(8));
        assertEquals(3000 - 2036, le(tm.rawBlock(ablock(info, root, 2))).getInt(8));
        assertEquals(2, DmArray.getValue(info, root, 2999)[0]);
    }

    @Test
    void shrinkLeavesStaleValuesPastNrEntries() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 2030, le32(7));
        root = DmArray.resize(info, root, 2030, 4, le32(0));
        assertEquals(1, le(tm.rawBlock(root)).getInt(BTreeNode.OFF_NR_ENTRIES), "second array block dropped");
        ByteBuffer b0 = le(tm.rawBlock(ablock(info, root, 0)));
        assertEquals(4, b0.getInt(8));
        assertEquals(7, b0.getInt(24 + 4 * 4), "trim only lowers nr_entries");
        assertEquals(7, b0.getInt(24 + 4 * 1017));
        long r = root;
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class, () -> DmArray.getValue(info, r, 4)).errno());
        // growing again overwrites the stale slots with the new default
        root = DmArray.resize(info, root, 4, 6, le32(3));
        assertEquals(3, DmArray.getValue(info, root, 5)[0]);
    }

    /**
     * Kernel quirk: shrink() drops blocks only if the count of full blocks falls and trims only a partial new
     * last block, so shrinking from a partial block down to its start changes nothing: after 1020 -> 1018
     * the array still has two array blocks, the second with 2 entries, and index 1019 still reads.
     */
    @Test
    void shrinkToABlockBoundaryFromAPartialBlockKeepsThatBlock() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 1020, le32(5));
        long shrunk = DmArray.resize(info, root, 1020, 1018, le32(0));
        assertEquals(root, shrunk, "nothing was touched");
        assertEquals(2, le(tm.rawBlock(shrunk)).getInt(BTreeNode.OFF_NR_ENTRIES));
        assertEquals(5, le(DmArray.getValue(info, shrunk, 1019)).getInt(0), "past the new size, still readable");
        assertEquals(true, DmArrayProperties.shrinkKeepsPartialBlock(1020, 1018, 1018));
        // the next grow overwrites btree key 1 with a fresh block, releasing the stale one
        long grown = DmArray.resize(info, shrunk, 1018, 1019, le32(9));
        assertEquals(9, le(DmArray.getValue(info, grown, 1018)).getInt(0));
        long g = grown;
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class, () -> DmArray.getValue(info, g, 1019)).errno());
        DmArray.del(info, grown);
        assertEquals(1, tm.allocatedBlocks());
    }

    @Test
    void setValuePastTheEndMovesTheRootLikeTheKernel() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 10, le32(0));
        tm.commitTransaction();
        long committed = root;
        RootMovedException e = assertThrows(RootMovedException.class,
                () -> DmArray.setValue(info, committed, 10, le32(1)));
        assertEquals(Errno.ENODATA, e.errno());
        assertFalse(e.newRoot() == committed, "the array block and btree were shadowed before the check");
        assertEquals(0, DmArray.getValue(info, e.newRoot(), 9)[0]);
        // an index in an array block that does not exist fails in the btree lookup, before any shadowing
        MetadataException missing = assertThrows(MetadataException.class,
                () -> DmArray.setValue(info, e.newRoot(), 1018, le32(1)));
        assertFalse(missing instanceof RootMovedException);
        assertEquals(Errno.ENODATA, missing.errno());
        assertEquals(0, tm.heldLocks());
    }

    @Test
    void arrayBlockValidator() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(8));
        long root = DmArray.resize(info, DmArray.empty(info), 0, 600, le(new byte[8]).putLong(0, -1).array());
        long b = ablock(info, root, 1);
        byte[] d = tm.rawBlock(b);
        assertEquals(509, le(d).getInt(4));
        assertEquals(91, le(d).getInt(8));
        ArrayBlockValidator.INSTANCE.check(new Block(b, d.clone()));
        assertEquals(Errno.ENOTBLK, assertThrows(MetadataException.class,
                () -> ArrayBlockValidator.INSTANCE.check(new Block(b + 1, d.clone()))).errno());
        byte[] bad = d.clone();
        bad[4000] ^= 0x40;
        assertEquals(Errno.EILSEQ, assertThrows(MetadataException.class,
                () -> ArrayBlockValidator.INSTANCE.check(new Block(b, bad))).errno());
    }

    @Test
    void newArrayBuildsSeveralBlocks() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(4));
        long root = DmArray.newArray(info, 2500, (i, data, off) -> le(data).putInt(off, i * 3));
        DmArrayProperties.checkShape(info, root, 2500);
        assertEquals(2499 * 3, le(DmArray.getValue(info, root, 2499)).getInt(0));
        DmArray.del(info, root);
        assertEquals(1, tm.allocatedBlocks());
    }
}
