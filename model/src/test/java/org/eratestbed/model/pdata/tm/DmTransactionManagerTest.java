package org.eratestbed.model.pdata.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.ChecksummedValidator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DmTransactionManagerTest {
    private static final ChecksummedValidator NODE = new ChecksummedValidator("btree_node", BlockType.BTREE_NODE, 8);

    private MemDisk disk;
    private DmTransactionManager tm;

    @BeforeEach
    void format() {
        disk = MemDisk.mib(1);
        tm = DmTransactionManager.createWithSm(new BlockManager(disk, 5), 0);
        TestSuperblock.format(tm);
        disk.clearLog();
    }

    private long newMarked(int marker) {
        Block b = tm.newBlock(NODE);
        b.data()[100] = (byte) marker;
        long location = b.location();
        tm.unlock(b);
        return location;
    }

    @Test
    void aBlockNewInThisTransactionIsWrittenInPlace() {
        long b = newMarked(1);
        assertTrue(tm.isShadow(b));
        Shadow s = tm.shadowBlock(b, NODE);
        assertEquals(b, s.block().location());
        assertFalse(s.incChildren());
        assertEquals(1, s.block().data()[100]);
        tm.unlock(s.block());
        assertEquals(1, tm.ref(b));
    }

    @Test
    void aCommittedBlockIsCopiedOnceThenWrittenInPlace() {
        long b = newMarked(7);
        TestSuperblock.commit(tm);
        assertFalse(tm.isShadow(b), "commit wipes the shadow table");

        Shadow s = tm.shadowBlock(b, NODE);
        long copy = s.block().location();
        assertNotEquals(b, copy);
        assertFalse(s.incChildren());
        assertEquals(7, s.block().data()[100], "the copy has the original's contents");
        s.block().data()[100] = 8;
        tm.unlock(s.block());
        assertEquals(0, tm.ref(b), "the original lost the reference");
        assertEquals(1, tm.ref(copy));

        Shadow again = tm.shadowBlock(copy, NODE);
        assertEquals(copy, again.block().location(), "already shadowed in this transaction");
        assertEquals(8, again.block().data()[100]);
        tm.unlock(again.block());
    }

    @Test
    void aSharedBlockIsCopiedEvenInItsOwnTransactionAndAsksForChildIncrements() {
        long b = newMarked(3);
        tm.inc(b);
        assertTrue(tm.blockIsShared(b));
        assertEquals(2, tm.ref(b));
        Shadow s = tm.shadowBlock(b, NODE);
        assertNotEquals(b, s.block().location());
        assertTrue(s.incChildren());
        tm.unlock(s.block());
        assertEquals(1, tm.ref(b));
        assertFalse(tm.blockIsShared(b));
    }

    @Test
    void commitWritesEverythingThenTheSuperblockBetweenFlushes() {
        newMarked(1);
        newMarked(2);
        TestSuperblock.commit(tm);
        List<String> log = disk.log();
        int n = log.size();
        assertEquals(List.of("F", "W 0", "F"), log.subList(n - 3, n));
        for (String op : log.subList(0, n - 3)) {
            assertTrue(op.startsWith("W ") && !op.equals("W 0"), "before the first flush only non-superblock writes: " + log);
        }
    }

    @Test
    void aReadOnlyBlockManagerOpensAndCountsButCannotWrite() {
        long a = newMarked(1);
        TestSuperblock.commit(tm);
        BlockManager ro = new BlockManager(disk, 5);
        ro.setReadOnly();
        DmTransactionManager reader = TestSuperblock.open(ro);
        assertEquals(1, reader.ref(a));
        assertEquals(tm.spaceMap().getNrFree(), reader.spaceMap().getNrFree());
        assertEquals(org.eratestbed.model.pdata.Errno.EPERM, org.junit.jupiter.api.Assertions.assertThrows(
                org.eratestbed.model.pdata.MetadataException.class, () -> reader.newBlock(NODE)).errno());
    }

    @Test
    void rangeOperationsMatchSingleBlockOperations() {
        newMarked(1);
        // the first allocation of the transaction also moved the bitmap; the next ones are consecutive
        long b = newMarked(2);
        long c = newMarked(3);
        long d = newMarked(4);
        assertEquals(List.of(b + 1, b + 2), List.of(c, d));
        tm.incRange(b, d + 1);
        assertEquals(List.of(2L, 2L, 2L), List.of(tm.ref(b), tm.ref(c), tm.ref(d)));
        tm.decRange(b, c + 1);
        assertEquals(List.of(1L, 1L, 2L), List.of(tm.ref(b), tm.ref(c), tm.ref(d)));
    }

    @Test
    void aFailedWriteInPreCommitKeepsTheSuperblockOffTheDevice() {
        long kept = newMarked(1);
        TestSuperblock.commit(tm);
        long lost = newMarked(2);
        disk.failWrites(lost);
        disk.clearLog();
        org.eratestbed.model.pdata.MetadataException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.eratestbed.model.pdata.MetadataException.class, () -> TestSuperblock.commit(tm));
        assertEquals(org.eratestbed.model.pdata.Errno.EIO, e.errno());
        assertFalse(disk.log().contains("W 0"), "the superblock is never written after a failed pre-commit: " + disk.log());
        assertEquals("F", disk.log().get(disk.log().size() - 1), "bufio still flushes after the failed write");
        disk.healAll();
        DmTransactionManager reopened = TestSuperblock.open(new BlockManager(disk, 5));
        assertEquals(1, reopened.ref(kept));
        assertEquals(0, reopened.ref(lost), "the failed transaction is not on disk");
    }

    @Test
    void reopenSeesTheCommittedCounts() {
        long a = newMarked(1);
        long b = newMarked(2);
        tm.inc(b);
        TestSuperblock.commit(tm);
        DmTransactionManager reopened = TestSuperblock.open(new BlockManager(disk, 5));
        assertEquals(1, reopened.ref(a));
        assertEquals(2, reopened.ref(b));
        assertEquals(tm.spaceMap().getNrFree(), reopened.spaceMap().getNrFree());
        Block blk = reopened.readLock(a, NODE);
        assertEquals(1, blk.data()[100]);
        reopened.unlock(blk);
    }
}
