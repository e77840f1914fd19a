package org.eratestbed.model.pdata.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.MetadataException;
import org.junit.jupiter.api.Test;

class BlockManagerTest {
    private static final ChecksummedValidator NODE = new ChecksummedValidator("btree_node", BlockType.BTREE_NODE, 8);
    private static final ChecksummedValidator BITMAP = new ChecksummedValidator("sm_bitmap", BlockType.SM_BITMAP, 8);

    private static void fill(Block b, int value) {
        for (int i = 32; i < 64; i++) {
            b.data()[i] = (byte) value;
        }
    }

    @Test
    void dirtyBlocksReachTheDeviceOnlyWhenFlushedInAscendingOrderThenAFlush() {
        MemDisk disk = new MemDisk(64);
        BlockManager bm = new BlockManager(disk, 5);
        for (long b : new long[] {9, 3, 7}) {
            Block blk = bm.writeLockZero(b, NODE);
            fill(blk, (int) b);
            bm.unlock(blk);
        }
        assertEquals(List.of(), disk.log(), "nothing is written before the flush");
        assertEquals(List.of(3L, 7L, 9L), bm.dirtyBlocks());
        bm.flush();
        assertEquals(List.of("W 3", "W 7", "W 9", "F"), disk.log());
        assertEquals(List.of(), bm.dirtyBlocks());
        assertEquals(new IoStats(0, 3, 1), bm.ioStats());
        // written out stamped by the validator
        byte[] onDisk = disk.block(7);
        NODE.check(new Block(7, onDisk));
        assertEquals(7, onDisk[40]);
    }

    @Test
    void flushAndUnlockWritesTheSuperblockLastBetweenTwoFlushes() {
        MemDisk disk = new MemDisk(64);
        BlockManager bm = new BlockManager(disk, 5);
        for (long b : new long[] {5, 2}) {
            bm.unlock(bm.writeLockZero(b, NODE));
        }
        Block sb = bm.writeLockZero(0, NODE);
        bm.flushAndUnlock(sb);
        assertEquals(List.of("W 2", "W 5", "F", "W 0", "F"), disk.log());
        assertEquals(0, bm.heldLocks());
    }

    @Test
    void readsSeeDirtyCachedDataAndCachedBlocksAreNotReadAgain() {
        MemDisk disk = new MemDisk(64);
        BlockManager bm = new BlockManager(disk, 5);
        Block w = bm.writeLockZero(4, NODE);
        fill(w, 0x5A);
        bm.unlock(w);
        Block r = bm.readLock(4, NODE);
        assertEquals(0x5A, r.data()[33]);
        bm.unlock(r);
        assertEquals(List.of(), disk.log());
        bm.flush();
        disk.clearLog();
        bm.unlock(bm.readLock(4, NODE));
        assertEquals(List.of(), disk.log(), "clean cached block: no device read");
        // a second block manager has its own cache and reads the device
        BlockManager other = new BlockManager(disk, 5);
        Block r2 = other.readLock(4, NODE);
        assertEquals(0x5A, r2.data()[33]);
        other.unlock(r2);
        assertEquals(List.of("R 4"), disk.log());
        assertEquals(new IoStats(1, 0, 0), other.ioStats());
    }

    @Test
    void readErrorIsEioAndIsRetriedNextTime() {
        MemDisk disk = new MemDisk(64);
        disk.failReads(6);
        BlockManager bm = new BlockManager(disk, 5);
        MetadataException e = assertThrows(MetadataException.class, () -> bm.readLock(6, null));
        assertEquals(Errno.EIO, e.errno());
        assertEquals(0, bm.heldLocks());
        disk.healAll();
        bm.unlock(bm.readLock(6, null));
        assertEquals(List.of("R 6", "R 6"), disk.log());
    }

    @Test
    void writeErrorIsReportedAfterTheFlushWasStillIssued() {
        MemDisk disk = new MemDisk(64);
        disk.failWrites(3);
        BlockManager bm = new BlockManager(disk, 5);
        bm.unlock(bm.writeLockZero(3, NODE));
        bm.unlock(bm.writeLockZero(4, NODE));
        MetadataException e = assertThrows(MetadataException.class, bm::flush);
        assertEquals(Errno.EIO, e.errno());
        assertEquals(List.of("W 3", "W 4", "F"), disk.log());
        assertFalse(bm.isDirty(3), "like bufio, a failed write leaves the buffer clean");
    }

    @Test
    void aBufferWhoseWriteFailedIsServedOnceMoreFromTheCacheThenDroppedAndReadFromTheDevice() {
        MemDisk disk = new MemDisk(64);
        disk.failWrites(3);
        BlockManager bm = new BlockManager(disk, 5);
        Block w = bm.writeLockZero(3, NODE);
        fill(w, 0x33);
        bm.unlock(w);
        assertThrows(MetadataException.class, bm::flush);
        disk.clearLog();
        // dm_bufio_read finds the buffer: its data is the cached (never written) content, no device read
        Block cached = bm.readLock(3, NODE);
        assertEquals(0x33, cached.data()[40]);
        bm.unlock(cached);
        assertEquals(List.of(), disk.log());
        // dm_bufio_release dropped it, so this lock reads the device, which never got the block
        MetadataException e = assertThrows(MetadataException.class, () -> bm.readLock(3, NODE));
        assertEquals(List.of("R 3"), disk.log());
        assertEquals(0, bm.heldLocks());
        assertTrue(e.errno() == Errno.EILSEQ || e.errno() == Errno.ENOTBLK, e.toString());
    }

    @Test
    void aSuccessfulRewriteClearsTheWriteError() {
        MemDisk disk = new MemDisk(64);
        disk.failWrites(3);
        BlockManager bm = new BlockManager(disk, 5);
        bm.unlock(bm.writeLockZero(3, NODE));
        assertThrows(MetadataException.class, bm::flush);
        disk.healAll();
        Block w = bm.writeLock(3, NODE);
        fill(w, 0x44);
        bm.unlock(w);
        bm.flush();
        disk.clearLog();
        bm.unlock(bm.readLock(3, NODE));
        bm.unlock(bm.readLock(3, NODE));
        assertEquals(List.of(), disk.log(), "written fine this time: cached as usual");
    }

    @Test
    void failedFlushIsEio() {
        MemDisk disk = new MemDisk(64);
        disk.failFlush(true);
        BlockManager bm = new BlockManager(disk, 5);
        bm.unlock(bm.writeLockZero(3, NODE));
        assertEquals(Errno.EIO, assertThrows(MetadataException.class, bm::flush).errno());
    }

    @Test
    void corruptOrMisplacedBlocksFailTheirValidatorOnRead() {
        MemDisk disk = new MemDisk(64);
        BlockManager writer = new BlockManager(disk, 5);
        Block b = writer.writeLockZero(8, BITMAP);
        fill(b, 1);
        writer.unlock(b);
        writer.flush();
        disk.putBlock(9, disk.block(8));
        disk.poke(8, 100, (byte) 0x40);

        BlockManager bm = new BlockManager(disk, 5);
        assertEquals(Errno.EILSEQ, assertThrows(MetadataException.class, () -> bm.readLock(8, BITMAP)).errno());
        assertEquals(Errno.EILSEQ, assertThrows(MetadataException.class, () -> bm.writeLock(8, BITMAP)).errno(),
                "a block that failed its check is checked again");
        assertEquals(Errno.ENOTBLK, assertThrows(MetadataException.class, () -> bm.readLock(9, BITMAP)).errno());
        assertEquals(0, bm.heldLocks());
    }

    @Test
    void lockingWithAnotherValidatorThanTheCheckedOneIsEinval() {
        BlockManager bm = new BlockManager(new MemDisk(64), 5);
        bm.unlock(bm.writeLockZero(8, BITMAP));
        assertEquals(Errno.EINVAL, assertThrows(MetadataException.class, () -> bm.readLock(8, NODE)).errno());
    }

    @Test
    void lockDisciplineViolationsAreBugs() {
        BlockManager bm = new BlockManager(new MemDisk(64), 3);
        Block w = bm.writeLockZero(1, NODE);
        assertThrows(IllegalStateException.class, () -> bm.writeLock(1, NODE), "write-locked twice");
        assertThrows(IllegalStateException.class, () -> bm.writeLockZero(1, NODE), "write-locked twice");
        assertThrows(IllegalStateException.class, () -> bm.readLock(1, NODE), "read while write-locked");
        assertThrows(IllegalStateException.class, bm::flush, "flush with a block write-locked");
        bm.unlock(w);
        assertThrows(IllegalStateException.class, () -> bm.unlock(w), "unlocked twice");
        Block r1 = bm.readLock(1, NODE);
        Block r2 = bm.readLock(1, NODE);
        assertSame(r1, r2);
        assertThrows(IllegalStateException.class, () -> bm.writeLock(1, NODE), "write while read-locked");
        Block third = bm.writeLockZero(2, NODE);
        // Beyond the reserve is allowed, as in the kernel (it only sizes bufio's reserve).
        bm.unlock(bm.writeLockZero(3, NODE));
        bm.unlock(r1);
        bm.unlock(r2);
        bm.unlock(third);
        assertEquals(0, bm.heldLocks());
        assertThrows(IllegalStateException.class, () -> bm.unlock(new Block(1, new byte[4096])),
                "a Block the manager did not hand out");
    }

    @Test
    void blocksPastTheEndAreEio() {
        BlockManager bm = new BlockManager(new MemDisk(16), 5);
        assertEquals(16, bm.nrBlocks());
        assertEquals(Errno.EIO, assertThrows(MetadataException.class, () -> bm.readLock(16, null)).errno());
        assertEquals(Errno.EIO, assertThrows(MetadataException.class, () -> bm.writeLockZero(-1, null)).errno());
    }

    @Test
    void readOnlyRefusesWritesWithEperm() {
        BlockManager bm = new BlockManager(new MemDisk(16), 5);
        bm.setReadOnly();
        assertTrue(bm.isReadOnly());
        assertEquals(Errno.EPERM, assertThrows(MetadataException.class, () -> bm.writeLockZero(1, null)).errno());
        assertEquals(Errno.EPERM, assertThrows(MetadataException.class, bm::flush).errno());
        bm.unlock(bm.readLock(1, null));
    }

    @Test
    void asynchronousCompletionIsAwaited() {
        try (MemDisk disk = new MemDisk(64).completeAsynchronously()) {
            BlockManager bm = new BlockManager(disk, 5);
            for (int b = 1; b < 40; b++) {
                Block blk = bm.writeLockZero(b, NODE);
                fill(blk, b);
                bm.unlock(blk);
            }
            bm.flush();
            BlockManager reader = new BlockManager(disk, 5);
            for (int b = 1; b < 40; b++) {
                Block blk = reader.readLock(b, NODE);
                assertEquals(b, blk.data()[40]);
                reader.unlock(blk);
            }
            assertEquals(new IoStats(39, 0, 0), reader.ioStats());
        }
    }

    @Test
    void aSchedulerCanCompleteQueuedBiosInAnyOrderThroughIoWait() {
        SimDisk disk = SimDisk.builder(64 * 8).queued().build();
        SplittableRandom rnd = new SplittableRandom(42);
        // what a deterministic scheduler does: step the device in the waiting thread until the latch opens
        IoWait stepDevice = (bios, allDone) -> {
            while (allDone.getCount() > 0) {
                disk.completeRandom(rnd);
            }
        };
        BlockManager bm = new BlockManager(disk, 5, stepDevice);
        for (int b = 1; b < 20; b++) {
            Block blk = bm.writeLockZero(b, NODE);
            fill(blk, b);
            bm.unlock(blk);
        }
        bm.flush();
        assertEquals(0, disk.pending().size());
        BlockManager reader = new BlockManager(disk, 5, stepDevice);
        for (int b = 1; b < 20; b++) {
            Block blk = reader.readLock(b, NODE);
            assertEquals(b, blk.data()[40]);
            reader.unlock(blk);
        }
    }

    @Test
    void destroyWritesWhateverIsDirtyWithoutAFlush() {
        MemDisk disk = new MemDisk(64);
        BlockManager bm = new BlockManager(disk, 5);
        bm.unlock(bm.writeLockZero(6, NODE));
        bm.flush();
        Block b = bm.writeLock(6, NODE);
        fill(b, 0x33);
        bm.unlock(b);
        bm.unlock(bm.writeLockZero(2, NODE));
        disk.clearLog();
        bm.destroy();
        assertEquals(List.of("W 2", "W 6"), disk.log(), "bufio's drop_buffers: dirty blocks written, no flush");
        assertEquals(0x33, disk.block(6)[40]);
        assertTrue(bm.isDestroyed());
        assertThrows(IllegalStateException.class, () -> bm.readLock(6, NODE));
        assertThrows(IllegalStateException.class, bm::destroy);
    }

    @Test
    void holdingAnAbsurdNumberOfLocksIsALeak() {
        BlockManager bm = new BlockManager(new MemDisk(BlockManager.LOCK_LEAK_GUARD + 8), 5);
        List<Block> held = new java.util.ArrayList<>();
        for (int i = 1; i <= BlockManager.LOCK_LEAK_GUARD; i++) {
            held.add(bm.writeLockZero(i, NODE));
        }
        assertThrows(IllegalStateException.class, () -> bm.readLock(BlockManager.LOCK_LEAK_GUARD + 1, NODE));
        held.forEach(bm::unlock);
        assertEquals(0, bm.heldLocks());
    }

    @Test
    void destroyWithALockHeldIsALeak() {
        BlockManager bm = new BlockManager(new MemDisk(64), 5);
        bm.readLock(1, null);
        assertThrows(IllegalStateException.class, bm::destroy);
    }

    @Test
    void writeLockZeroNeverReadsAndZeroesACachedBlock() {
        MemDisk disk = new MemDisk(16);
        BlockManager bm = new BlockManager(disk, 5);
        Block b = bm.writeLockZero(2, NODE);
        fill(b, 9);
        bm.unlock(b);
        Block again = bm.writeLockZero(2, NODE);
        assertArrayEquals(new byte[4096], again.data());
        bm.unlock(again);
        assertEquals(List.of(), disk.log());
    }
}
