package org.eratestbed.model.pdata.sm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.btree.BTreeNode;
import org.eratestbed.model.pdata.btree.NodeValidator;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.junit.jupiter.api.Test;

/** Counts above 2 through the ref-count btree, set_count, multi-bitmap ranges and extend. */
class RefCountAndExtendTest {
    private static DmTransactionManager fresh(MemDisk disk) {
        DmTransactionManager tm = DmTransactionManager.createWithSm(new BlockManager(disk, 5), 0);
        TestSuperblock.format(tm);
        return tm;
    }

    private static long newBlock(DmTransactionManager tm) {
        Block b = tm.newBlock(SpaceMapModel.USER);
        tm.unlock(b);
        return b.location();
    }

    private static BTreeNode refCountRoot(DmTransactionManager tm) {
        MetadataSpaceMap sm = (MetadataSpaceMap) tm.spaceMap();
        Block b = tm.readLock(sm.root().refCountRoot(), NodeValidator.INSTANCE);
        BTreeNode n = new BTreeNode(b.data().clone());
        tm.unlock(b);
        return n;
    }

    @Test
    void countsAboveTwoLiveInTheRefCountTreeAndLeaveIt() {
        MemDisk disk = MemDisk.mib(1);
        DmTransactionManager tm = fresh(disk);
        MetadataSpaceMap sm = (MetadataSpaceMap) tm.spaceMap();
        long b = newBlock(tm);
        long emptyRoot = sm.root().refCountRoot();
        for (int i = 0; i < 4; i++) {
            tm.inc(b);
        }
        assertEquals(5, sm.getCount(b));
        assertEquals(3, sm.bitmapValue(b), "the bitmap says: look in the tree");
        assertTrue(sm.countIsMoreThanOne(b));
        assertNotEquals(emptyRoot, sm.root().refCountRoot(), "the committed empty leaf was shadowed");
        BTreeNode root = refCountRoot(tm);
        assertEquals(1, root.nrEntries());
        assertEquals(b, root.key(0));
        assertEquals(5, java.nio.ByteBuffer.wrap(root.value(0)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());

        TestSuperblock.commit(tm);
        DmTransactionManager reopened = TestSuperblock.open(new BlockManager(disk, 5));
        assertEquals(5, reopened.ref(b));
        for (int i = 0; i < 3; i++) {
            reopened.dec(b);
        }
        MetadataSpaceMap sm2 = (MetadataSpaceMap) reopened.spaceMap();
        assertEquals(2, sm2.getCount(b));
        assertEquals(2, sm2.bitmapValue(b), "back to 2: the bitmap holds it again");
        assertEquals(0, refCountRoot(reopened).nrEntries());
        reopened.dec(b);
        reopened.dec(b);
        assertEquals(0, sm2.getCount(b));
        MetadataException e = assertThrows(MetadataException.class, () -> reopened.dec(b));
        assertEquals(Errno.EINVAL, e.errno(), "decrementing a free block");
    }

    @Test
    void setCountMovesBetweenBitmapAndTree() {
        MemDisk disk = MemDisk.mib(1);
        DmTransactionManager tm = fresh(disk);
        SpaceMap sm = tm.spaceMap();
        long b = newBlock(tm);
        sm.setCount(b, 1000);
        assertEquals(1000, sm.getCount(b));
        sm.setCount(b, 2);
        assertEquals(2, sm.getCount(b));
        assertEquals(0, refCountRoot(tm).nrEntries());
        long free = ((MetadataSpaceMap) sm).root().nrAllocated();
        sm.setCount(b, 0);
        assertEquals(free - 1, ((MetadataSpaceMap) sm).root().nrAllocated());
        sm.setCount(b, 7);
        TestSuperblock.commit(tm);
        assertEquals(7, TestSuperblock.open(new BlockManager(disk, 5)).ref(b));
    }

    @Test
    void rangesSpanBitmapsAndTheDeviceCanBeExtended() {
        // two bitmaps: 16320 + 100 blocks
        MemDisk disk = new MemDisk(16420);
        DmTransactionManager tm = DmTransactionManager.createWithSm(new BlockManager(disk, 5), 0);
        MetadataSpaceMap sm = (MetadataSpaceMap) tm.spaceMap();
        TestSuperblock.format(tm);
        assertEquals(2, sm.nrBitmaps());
        assertEquals(3, sm.indexEntry(0).blocknr(), "bitmaps are allocated in order by the bootstrap allocator");
        assertEquals(4, sm.indexEntry(1).blocknr());
        assertEquals(16320, sm.indexEntry(1).nrFree(), "the partial last bitmap counts its tail as free");

        tm.incRange(16310, 16330);
        for (long x = 16305; x < 16335; x++) {
            assertEquals(x >= 16310 && x < 16330 ? 1 : 0, sm.getCount(x), "block " + x);
        }
        assertEquals(16320 - 10 - 5, sm.indexEntry(0).nrFree());
        assertEquals(16320 - 10, sm.indexEntry(1).nrFree());
        tm.decRange(16310, 16330);
        TestSuperblock.commit(tm);

        long before = sm.getNrBlocks();
        sm.extend(100);
        assertEquals(before + 100, sm.getNrBlocks());
        // the new blocks are free: allocate past the old end once the cursor wraps
        TestSuperblock.commit(tm);
        DmTransactionManager reopened = TestSuperblock.open(new BlockManager(disk, 5));
        assertEquals(before + 100, reopened.spaceMap().getNrBlocks());
        assertEquals(0, reopened.spaceMap().getCount(before + 99));
    }

    @Test
    void extendBeyondTheMetadataIndexIsEinval() {
        MemDisk disk = MemDisk.mib(1);
        DmTransactionManager tm = fresh(disk);
        MetadataException e = assertThrows(MetadataException.class,
                () -> tm.spaceMap().extend(MetadataSpaceMap.MAX_BLOCKS));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void aFullDeviceIsEnospc() {
        MemDisk disk = new MemDisk(16);
        DmTransactionManager tm = fresh(disk);
        MetadataException e = assertThrows(MetadataException.class, () -> {
            for (int i = 0; i < 16; i++) {
                newBlock(tm);
            }
        });
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals(0, tm.blockManager().heldLocks(), "no lock leaks on failure");
    }

    @Test
    void rootSizeAndCopyRoot() {
        DmTransactionManager tm = fresh(MemDisk.mib(1));
        assertEquals(32, tm.spaceMap().rootSize());
        byte[] buf = new byte[40];
        tm.spaceMap().copyRoot(buf, 3, 32);
        assertEquals(((MetadataSpaceMap) tm.spaceMap()).root(), SmRoot.unpack(buf, 3, 32));
        assertEquals(Errno.ENOSPC, assertThrows(MetadataException.class, () -> tm.spaceMap().copyRoot(buf, 0, 31)).errno());
    }

    @Test
    void thresholdFiresOnceWhenFreeSpaceDropsToIt() {
        DmTransactionManager tm = fresh(new MemDisk(64));
        int[] fired = {0};
        long target = tm.spaceMap().getNrFree() - 5;
        tm.spaceMap().registerThresholdCallback(target, () -> fired[0]++);
        for (int i = 0; i < 10; i++) {
            newBlock(tm);
        }
        assertEquals(1, fired[0]);
    }
}
