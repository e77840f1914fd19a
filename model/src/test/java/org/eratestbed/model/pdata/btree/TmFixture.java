package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * A transaction manager for the data-structure tests, either the real stack (block manager with dm-era's
 * limit of 5 held locks, dm-transaction-manager, metadata space map over an in-memory device, committed
 * with an era-like superblock) or {@link MemoryTransactionManager}.
 */
public interface TmFixture {
    TransactionManager tm();

    /** Ends the transaction (metadata_commit for the real stack). */
    void commit();

    int heldLocks();

    /** Free blocks as of the last commit (dm_sm_get_nr_free right after a commit). */
    long freeBlocks();

    static TmFixture real(int blocks) {
        MemDisk disk = new MemDisk(blocks);
        BlockManager bm = new BlockManager(disk, 5);
        DmTransactionManager tm = DmTransactionManager.createWithSm(bm, 0);
        TestSuperblock.format(tm);
        return new TmFixture() {
            @Override
            public TransactionManager tm() {
                return tm;
            }

            @Override
            public void commit() {
                TestSuperblock.commit(tm);
            }

            @Override
            public int heldLocks() {
                return bm.heldLocks();
            }

            @Override
            public long freeBlocks() {
                return tm.spaceMap().getNrFree();
            }

            @Override
            public String toString() {
                return "real tm";
            }
        };
    }

    static TmFixture memory(int blocks) {
        MemoryTransactionManager tm = new MemoryTransactionManager(blocks);
        return new TmFixture() {
            @Override
            public TransactionManager tm() {
                return tm;
            }

            @Override
            public void commit() {
                tm.commitTransaction();
            }

            @Override
            public int heldLocks() {
                return tm.heldLocks();
            }

            @Override
            public long freeBlocks() {
                return blocks - tm.allocatedBlocks();
            }

            @Override
            public String toString() {
                return "memory tm";
            }
        };
    }

    static TmFixture of(boolean real, int blocks) {
        return real ? real(blocks) : memory(blocks);
    }
}
