package org.eratestbed.model.pdata.tm;

import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockValidator;

/**
 * The kernel's dm-transaction-manager API (persistent-data/dm-transaction-manager.h): copy-on-write
 * shadowing over a block manager and a space map. Blocks reachable from the last committed superblock are
 * never written in place; a block allocated or shadowed in this transaction may be written again freely.
 *
 * <p>Every method that can fail throws {@link org.eratestbed.model.pdata.MetadataException} with the errno
 * the kernel would return (ENOSPC when the space map is full, EILSEQ/ENOTBLK from validators, EIO from I/O).
 */
public interface TransactionManager {
    /** dm_tm_new_block: allocate a block (count 1), zero it, and write-lock it. */
    Block newBlock(BlockValidator validator);

    /**
     * dm_tm_shadow_block: a write-locked block with the contents of {@code original}. If the original was
     * allocated in this transaction and is not shared, it is returned itself; otherwise a new block is
     * allocated, the original's count is decremented, and {@code incChildren} says whether it was shared.
     */
    Shadow shadowBlock(long original, BlockValidator validator);

    /** dm_tm_read_lock. */
    Block readLock(long location, BlockValidator validator);

    /** dm_tm_unlock: releases a read or write lock; a written block is marked dirty in the cache. */
    void unlock(Block block);

    /** dm_tm_inc. */
    void inc(long location);

    /** dm_tm_dec. */
    void dec(long location);

    /** dm_tm_inc_range: increment every block in [b, e). The default increments one block at a time. */
    default void incRange(long b, long e) {
        for (long x = b; x < e; x++) {
            inc(x);
        }
    }

    /** dm_tm_dec_range: decrement every block in [b, e). The default decrements one block at a time. */
    default void decRange(long b, long e) {
        for (long x = b; x < e; x++) {
            dec(x);
        }
    }

    /** dm_tm_ref: the reference count of a block. */
    long ref(long location);

    /** dm_tm_block_is_shared: count greater than one. */
    boolean blockIsShared(long location);

    /**
     * dm_tm_pre_commit: commits the space map (which may allocate and write its own blocks), then flushes the
     * block manager: every dirty block is written, then a FLUSH.
     */
    void preCommit();

    /**
     * dm_tm_commit: unlocks {@code superblock} (write-locked by the caller, who has filled it in) and flushes
     * the block manager, which writes it and then issues a FLUSH. After {@link #preCommit} it is the only
     * dirty block, so a commit writes every other dirty block, flushes, then writes the superblock and flushes
     * again. Without a preCommit (dm-era's format does this) the superblock is written together with the rest,
     * before the single FLUSH, as in the kernel.
     */
    void commit(Block superblock);
}
