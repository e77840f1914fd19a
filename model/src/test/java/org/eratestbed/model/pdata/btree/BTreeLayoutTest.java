package org.eratestbed.model.pdata.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;
import org.junit.jupiter.api.Test;

/** Byte layouts and kernel-specific behaviour of dm-btree nodes (reference dm-era.md section 2). */
class BTreeLayoutTest {

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] writeset(int nrBits, long root) {
        return le(new byte[12]).putInt(0, nrBits).putLong(4, root).array();
    }

    @Test
    void emptyLeafHeaderForEachValueSize() {
        int[][] cases = {{4, 336}, {8, 252}, {12, 201}};
        for (int[] c : cases) {
            MemoryTransactionManager tm = new MemoryTransactionManager(16);
            BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(c[0]));
            long root = BTree.empty(info);
            byte[] b = tm.rawBlock(root);
            ByteBuffer h = le(b);
            assertEquals(Checksum.blockChecksum(b, BlockType.BTREE_NODE), h.getInt(0), "csum");
            assertEquals(BTreeNode.LEAF_NODE, h.getInt(4), "flags");
            assertEquals(root, h.getLong(8), "blocknr");
            assertEquals(0, h.getInt(16), "nr_entries");
            assertEquals(c[1], h.getInt(20), "max_entries for value size " + c[0]);
            assertEquals(c[0], h.getInt(24), "value_size");
            assertEquals(0, h.getInt(28), "padding");
            for (int i = 32; i < 4096; i++) {
                assertEquals(0, b[i], "byte " + i + " of an empty leaf");
            }
            assertEquals(c[1], BTreeNode.calcMaxEntries(c[0], 4096));
        }
    }

    @Test
    void writesetLeafOffsets() {
        MemoryTransactionManager tm = new MemoryTransactionManager(16);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(12));
        long root = BTree.empty(info);
        for (int era = 1; era <= 3; era++) {
            root = BTree.insert(info, root, era, writeset(5000, 100 + era));
        }
        byte[] b = tm.rawBlock(root);
        ByteBuffer h = le(b);
        assertEquals(3, h.getInt(16));
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, h.getLong(32 + 8 * i), "key " + i);
            int v = 32 + 8 * 201 + 12 * i;
            assertEquals(1640 + 12 * i, v);
            assertEquals(5000, h.getInt(v), "nr_bits of value " + i);
            assertEquals(101 + i, h.getLong(v + 4), "root of value " + i + " (unaligned le64)");
        }
        for (int i = 32 + 8 * 201 + 12 * 201; i < 4096; i++) {
            assertEquals(0, b[i], "the 44-byte tail after the value area");
        }
        assertEquals(4052, 32 + 8 * 201 + 12 * 201);
    }

    @Test
    void deleteLeavesStaleSlots() {
        MemoryTransactionManager tm = new MemoryTransactionManager(16);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(12));
        long root = BTree.empty(info);
        root = BTree.insert(info, root, 5, writeset(64, 11));
        root = BTree.insert(info, root, 7, writeset(64, 22));
        root = BTree.remove(info, root, 5);
        ByteBuffer h = le(tm.rawBlock(root));
        assertEquals(1, h.getInt(16));
        assertEquals(7, h.getLong(32));
        assertEquals(7, h.getLong(40), "slot 1 keeps the moved key");
        assertEquals(22, h.getLong(1640 + 4));
        assertEquals(22, h.getLong(1640 + 12 + 4), "slot 1 keeps the moved value");

        root = BTree.remove(info, root, 7);
        h = le(tm.rawBlock(root));
        assertEquals(0, h.getInt(16), "empty leaf");
        assertEquals(7, h.getLong(32), "an empty writeset leaf still holds the removed era");
        assertEquals(64, h.getInt(1640));
        assertEquals(22, h.getLong(1644));
        assertArrayEquals(new long[0], BTree.findLowestKey(info, root), "readers ignore stale slots");
    }

    @Test
    void rootSplitsBeneathKeepingStaleBytes() {
        MemoryTransactionManager tm = new MemoryTransactionManager(16);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(12));
        long root = BTree.empty(info);
        for (int k = 0; k < 201; k++) {
            root = BTree.insert(info, root, k, writeset(k, 1000 + k));
        }
        byte[] full = tm.rawBlock(root);
        assertEquals(201, le(full).getInt(16));
        long newRoot = BTree.insert(info, root, 201, writeset(201, 1201));
        assertEquals(root, newRoot, "an uncommitted root is shadowed in place");

        byte[] r = tm.rawBlock(newRoot);
        ByteBuffer h = le(r);
        assertEquals(BTreeNode.INTERNAL_NODE, h.getInt(4));
        assertEquals(2, h.getInt(16));
        assertEquals(252, h.getInt(20), "internal max_entries even in a 12-byte tree");
        assertEquals(8, h.getInt(24));
        assertEquals(0, h.getLong(32));
        assertEquals(100, h.getLong(40), "right child starts at the 101st key");
        long left = h.getLong(2048);
        long right = h.getLong(2056);

        // Every byte but the header, the two keys and the two child pointers is the old leaf's.
        byte[] expected = full.clone();
        System.arraycopy(r, 0, expected, 0, 32);
        System.arraycopy(r, 32, expected, 32, 16);
        System.arraycopy(r, 2048, expected, 2048, 16);
        assertArrayEquals(expected, r);

        ByteBuffer l = le(tm.rawBlock(left));
        assertEquals(BTreeNode.LEAF_NODE, l.getInt(4));
        assertEquals(100, l.getInt(16));
        assertEquals(201, l.getInt(20));
        assertEquals(12, l.getInt(24));
        assertEquals(99, l.getLong(32 + 8 * 99));
        assertEquals(0, l.getLong(32 + 8 * 100), "new blocks are zeroed past nr_entries");
        ByteBuffer rt = le(tm.rawBlock(right));
        assertEquals(102, rt.getInt(16), "101 moved entries plus the new key");
        assertEquals(201, rt.getLong(32 + 8 * 101));
        assertEquals(1201, rt.getLong(1640 + 12 * 101 + 4));
    }

    @Test
    void nodeCheckErrors() {
        MemoryTransactionManager tm = new MemoryTransactionManager(16);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(8));
        long root = BTree.empty(info);
        byte[] good = tm.rawBlock(root);
        NodeValidator v = NodeValidator.INSTANCE;
        v.check(new Block(root, good.clone()));

        assertEquals(Errno.ENOTBLK, assertThrows(MetadataException.class,
                () -> v.check(new Block(root + 1, good.clone()))).errno());

        byte[] badCsum = good.clone();
        badCsum[100] ^= 1;
        assertEquals(Errno.EILSEQ, assertThrows(MetadataException.class,
                () -> v.check(new Block(root, badCsum))).errno());

        // 254 slots of key + le64 fill the block exactly (the 3n rule is a policy, not a check)
        acceptedAfterRestamp(v, root, good, 20, 254);
        assertRejected(v, root, good, 20, 255, "max_entries too large");
        assertRejected(v, root, good, 16, 253, "too many entries");
        assertRejected(v, root, good, 4, 0, "neither INTERNAL or LEAF");
        assertRejected(v, root, good, 24, 0x7fffffff, "max_entries too large");
    }

    private static void acceptedAfterRestamp(NodeValidator v, long loc, byte[] good, int offset, int value) {
        byte[] b = good.clone();
        le(b).putInt(offset, value);
        Block block = new Block(loc, b);
        v.prepareForWrite(block);
        v.check(block);
    }

    private static void assertRejected(NodeValidator v, long loc, byte[] good, int offset, int value, String msg) {
        byte[] b = good.clone();
        le(b).putInt(offset, value);
        Block block = new Block(loc, b);
        v.prepareForWrite(block);
        MetadataException e = assertThrows(MetadataException.class, () -> v.check(block));
        assertEquals(Errno.EILSEQ, e.errno());
        assertTrue(e.getMessage().contains(msg), e.getMessage());
    }

    /** Upstream find_key descends child 0 for the lowest key; the 3.15 code descended the last child. */
    @Test
    void findLowestKeyOnInternalNodes() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(12));
        long root = BTree.empty(info);
        for (int era = 1; era <= 250; era++) {
            root = BTree.insert(info, root, era, writeset(64, era));
        }
        assertEquals(2, TreeChecker.height(info, root));
        assertArrayEquals(new long[] {1}, BTree.findLowestKey(info, root));
        assertArrayEquals(new long[] {250}, BTree.findHighestKey(info, root));
        long[] old = BTree.findLowestKeyDescendingLastChild(info, root);
        assertEquals(1, old.length);
        assertEquals(101, old[0], "the 3.15 descent reports the first key of the rightmost leaf");
        // a single leaf hides the difference, which is why small writeset trees never showed it
        long small = BTree.empty(info);
        small = BTree.insert(info, small, 3, writeset(64, 3));
        small = BTree.insert(info, small, 9, writeset(64, 9));
        assertArrayEquals(BTree.findLowestKey(info, small), BTree.findLowestKeyDescendingLastChild(info, small));
    }

    /**
     * The writeset tree's ws_eq: with the pre-64f2d15afe7b length of 16 the overwrite of an identical 12-byte
     * value also compares the 4 bytes after each value, so a difference there makes insert call dec on a
     * value that is still in use.
     */
    @Test
    void equalLengthDecidesWhetherOverwriteDecrements() {
        for (int length : new int[] {12, 16}) {
            MemoryTransactionManager tm = new MemoryTransactionManager(16);
            int[] decs = {0};
            ValueType ws = new ValueType(12, null, (d, off, n) -> decs[0] += n, ValueType.memcmp(length));
            BTreeInfo info = BTreeInfo.singleLevel(tm, ws);
            long root = BTree.empty(info);
            root = BTree.insert(info, root, 4, writeset(64, 77));
            root = BTree.insert(info, root, 5, writeset(64, 88));

            byte[] sameValueStackGarbage = Arrays.copyOf(writeset(64, 77), 16);
            le(sameValueStackGarbage).putInt(12, 0xdeadbeef);
            root = BTree.insert(info, root, 4, sameValueStackGarbage);
            assertEquals(length == 12 ? 0 : 1, decs[0], "compare length " + length);

            // Key 5 is the last entry: the node bytes after its value are zero, as is this buffer's tail.
            byte[] sameValueZeroTail = Arrays.copyOf(writeset(64, 88), 16);
            root = BTree.insert(info, root, 5, sameValueZeroTail);
            assertEquals(length == 12 ? 0 : 1, decs[0], "identical 16 bytes: no dec either way");
            assertEquals(0, tm.heldLocks());
        }
        assertThrows(IllegalArgumentException.class,
                () -> ValueType.memcmp(16).equal(new byte[16], 0, new byte[12], 0));
    }

    /**
     * Since "dm btree remove: assign new_root only when removal succeeds", removing an absent key returns
     * ENODATA and no new root, but the path was already shadowed: on a committed tree the caller's root has
     * been decremented to 0 and the shadow leaks. dm-era only removes keys it just found, so it never hits it.
     */
    @Test
    void removingAnAbsentKeyFromACommittedTreeDropsTheOldRoot() {
        MemoryTransactionManager tm = new MemoryTransactionManager(16);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(8));
        long root = BTree.empty(info);
        root = BTree.insert(info, root, 1, new byte[8]);
        tm.commitTransaction();
        int before = tm.allocatedBlocks();
        long r = root;
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class, () -> BTree.remove(info, r, 2)).errno());
        assertEquals(0, tm.ref(root), "the root the caller still holds is now free");
        assertEquals(before, tm.allocatedBlocks(), "one block freed, one leaked shadow allocated");
        assertEquals(0, tm.heldLocks());
    }

    @Test
    void overwriteLeafUpdatesInPlace() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(4));
        long root = BTree.empty(info);
        for (int k = 0; k < 1000; k += 2) {
            root = BTree.insert(info, root, k, le(new byte[4]).putInt(0, 3).array());
        }
        tm.commitTransaction();
        BTree.OverwriteLeaf ow = BTree.getOverwriteLeaf(info, root, 500);
        BTreeNode leaf = new BTreeNode(ow.leaf());
        assertEquals(500, leaf.key(ow.index()));
        le(leaf.data()).putInt(leaf.valueOffset(ow.index()), 4);
        tm.unlock(ow.leaf());
        assertEquals(0, tm.heldLocks());
        assertEquals(4, le(BTree.lookup(info, ow.newRoot(), 500)).getInt(0));
        assertEquals(3, le(BTree.lookup(info, root, 500)).getInt(0), "the committed tree is unchanged");
        assertEquals(Errno.EINVAL, assertThrows(MetadataException.class,
                () -> BTree.getOverwriteLeaf(info, ow.newRoot(), 501)).errno());
        assertEquals(0, tm.heldLocks());
    }

    @Test
    void lookupNextFindsTheNextKey() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(8));
        long root = BTree.empty(info);
        for (long k = 10; k < 3000; k += 10) {
            root = BTree.insert(info, root, k, le(new byte[8]).putLong(0, k).array());
        }
        assertEquals(10, BTree.lookupNext(info, root, 0).key());
        assertEquals(1260, BTree.lookupNext(info, root, 1251).key());
        assertEquals(1260, BTree.lookupNext(info, root, 1260).key());
        long r = root;
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class,
                () -> BTree.lookupNext(info, r, 2991)).errno());
        assertEquals(0, tm.heldLocks());
    }

    @Test
    void twoLevelTree() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        BTreeInfo info = new BTreeInfo(tm, 2, ValueType.plain(8));
        long root = BTree.empty(info);
        root = BTree.insert(info, root, new long[] {1, 5}, le(new byte[8]).putLong(0, 15).array());
        root = BTree.insert(info, root, new long[] {1, 6}, le(new byte[8]).putLong(0, 16).array());
        root = BTree.insert(info, root, new long[] {2, 5}, le(new byte[8]).putLong(0, 25).array());
        assertEquals(16, le(BTree.lookup(info, root, 1, 6)).getLong(0));
        assertEquals(25, le(BTree.lookup(info, root, 2, 5)).getLong(0));
        assertArrayEquals(new long[] {1, 5}, BTree.findLowestKey(info, root));
        assertArrayEquals(new long[] {2, 5}, BTree.findHighestKey(info, root));
        root = BTree.remove(info, root, 1, 5);
        long r = root;
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class, () -> BTree.lookup(info, r, 1, 5)).errno());
        BTree.del(info, root);
        assertEquals(1, tm.allocatedBlocks());
        assertEquals(0, tm.heldLocks());
    }

    /** A three-level tree: internal-node splits on insert and internal rebalancing on remove. */
    @Test
    void threeLevelsGrowAndShrink() {
        MemoryTransactionManager tm = new MemoryTransactionManager(5000);
        BTreeInfo info = BTreeInfo.singleLevel(tm, ValueType.plain(8));
        long root = BTree.empty(info);
        TreeMap<Long, byte[]> ref = new TreeMap<>();
        Random rnd = new Random(42);
        List<Long> keys = new ArrayList<>();
        while (ref.size() < 75_000) {
            long k = rnd.nextInt(1_000_000);
            byte[] v = le(new byte[8]).putLong(0, ~k).array();
            root = BTree.insert(info, root, k, v);
            if (ref.put(k, v) == null) {
                keys.add(k);
            }
            if (ref.size() % 25_000 == 0) {
                tm.commitTransaction();
            }
        }
        assertEquals(3, TreeChecker.height(info, root));
        TreeChecker.check(info, root, ref);
        Collections.shuffle(keys, rnd);
        for (int i = 0; i < keys.size(); i++) {
            root = BTree.remove(info, root, keys.get(i));
            ref.remove(keys.get(i));
            if (i % 25_000 == 0) {
                tm.commitTransaction();
                TreeChecker.check(info, root, ref);
            }
        }
        TreeChecker.check(info, root, ref);
        assertEquals(1, TreeChecker.height(info, root));
        BTree.del(info, root);
        assertEquals(1, tm.allocatedBlocks());
    }
}
