package org.eratestbed.model.pdata.tm;

import java.util.HashSet;
import java.util.Set;

import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.BlockValidator;
import org.eratestbed.model.pdata.sm.MetadataSpaceMap;
import org.eratestbed.model.pdata.sm.SpaceMap;

/**
 * dm-transaction-manager: copy-on-write over a {@link BlockManager} and a {@link SpaceMap}.
 *
 * <p>The shadow table holds every block allocated or shadowed in the running transaction. Such a block
 * is written in place by {@link #shadowBlock} unless its count is above one (shared); any other block is
 * copied to a new block, so nothing reachable from the committed superblock is ever overwritten. The
 * table is wiped by {@link #commit}.
 *
 * <p><b>Commit I/O</b>, as in the kernel since 2014 (a9d45396f595): {@link #preCommit} commits the space
 * map and then flushes the block manager (writes every dirty block, FLUSH); {@link #commit} unlocks the
 * write-locked superblock and flushes again (writes it, FLUSH). After preCommit the only dirty block is
 * the superblock, so a commit is {@code W(...) FLUSH W(sb) FLUSH}. A caller that skips preCommit gets the
 * kernel's behaviour for that too: one flush writing the superblock together with everything else (dm-era
 * does this once, in format_metadata's write_superblock).
 *
 * <p>Like the kernel's, it assumes a single mutator (dm-era's worker): it is not thread-safe.
 */
public final class DmTransactionManager implements TransactionManager {
    private final BlockManager bm;
    private final SpaceMap sm;
    private final Set<Long> shadows = new HashSet<>();

    /** dm_tm_create: a transaction manager over {@code bm} allocating from {@code sm}. */
    public DmTransactionManager(BlockManager bm, SpaceMap sm) {
        this.bm = bm;
        this.sm = sm;
    }

    /**
     * dm_tm_create_with_sm: a fresh metadata space map covering the whole device, with block
     * {@code sbLocation} reserved (count 1) for the caller's superblock. The space map is committed (its
     * blocks are dirty in the cache); nothing is written to the device yet.
     */
    public static DmTransactionManager createWithSm(BlockManager bm, long sbLocation) {
        MetadataSpaceMap sm = new MetadataSpaceMap();
        DmTransactionManager tm = new DmTransactionManager(bm, sm);
        sm.create(tm, bm.nrBlocks(), sbLocation);
        return tm;
    }

    /** dm_tm_open_with_sm: the metadata space map from the root a superblock recorded ({@code len} bytes at {@code offset}). */
    public static DmTransactionManager openWithSm(BlockManager bm, long sbLocation, byte[] smRoot, int offset, int len) {
        MetadataSpaceMap sm = new MetadataSpaceMap();
        DmTransactionManager tm = new DmTransactionManager(bm, sm);
        sm.open(tm, smRoot, offset, len);
        return tm;
    }

    public static DmTransactionManager openWithSm(BlockManager bm, long sbLocation, byte[] smRoot) {
        return openWithSm(bm, sbLocation, smRoot, 0, smRoot.length);
    }

    /** dm_tm_get_bm. */
    public BlockManager blockManager() {
        return bm;
    }

    /** The space map this transaction manager allocates from (the {@code sm} that dm_tm_create_with_sm returns). */
    public SpaceMap spaceMap() {
        return sm;
    }

    /** Whether {@code b} was allocated or shadowed in this transaction. */
    public boolean isShadow(long b) {
        return shadows.contains(b);
    }

    @Override
    public Block newBlock(BlockValidator validator) {
        long b = sm.newBlock();
        Block block;
        try {
            block = bm.writeLockZero(b, validator);
        } catch (MetadataException e) {
            sm.decBlock(b);
            throw e;
        }
        // New blocks count as shadows: they need not be shadowed again in this transaction.
        shadows.add(b);
        return block;
    }

    @Override
    public Shadow shadowBlock(long original, BlockValidator validator) {
        boolean incChildren = sm.countIsMoreThanOne(original);
        if (shadows.contains(original) && !incChildren) {
            return new Shadow(bm.writeLock(original, validator), false);
        }
        Block copy = copyToNewBlock(original, validator);
        shadows.add(copy.location());
        return new Shadow(copy, incChildren);
    }

    /** __shadow_block: allocate, drop the original's count, copy the original into the new block. */
    private Block copyToNewBlock(long original, BlockValidator validator) {
        long b = sm.newBlock();
        sm.decBlock(original);
        Block orig = bm.readLock(original, validator);
        try {
            // Not a move: the space maps keep reading the old copy until the next transaction.
            Block copy = bm.writeLockZero(b, validator);
            System.arraycopy(orig.data(), 0, copy.data(), 0, copy.data().length);
            return copy;
        } finally {
            bm.unlock(orig);
        }
    }

    @Override
    public Block readLock(long location, BlockValidator validator) {
        return bm.readLock(location, validator);
    }

    @Override
    public void unlock(Block block) {
        bm.unlock(block);
    }

    @Override
    public void inc(long location) {
        sm.incBlock(location);
    }

    @Override
    public void dec(long location) {
        sm.decBlock(location);
    }

    /** dm_tm_inc_range: one space-map operation for the whole run (dm_sm_inc_blocks). */
    @Override
    public void incRange(long b, long e) {
        sm.incBlocks(b, e);
    }

    /** dm_tm_dec_range: one space-map operation for the whole run (dm_sm_dec_blocks). */
    @Override
    public void decRange(long b, long e) {
        sm.decBlocks(b, e);
    }

    @Override
    public long ref(long location) {
        return sm.getCount(location);
    }

    @Override
    public boolean blockIsShared(long location) {
        return sm.countIsMoreThanOne(location);
    }

    /** dm_tm_pre_commit: commit the space map, then write every dirty block and FLUSH. */
    @Override
    public void preCommit() {
        sm.commit();
        bm.flush();
    }

    /** dm_tm_commit: wipe the shadow table, unlock the superblock, write it (and anything still dirty), FLUSH. */
    @Override
    public void commit(Block superblock) {
        shadows.clear();
        bm.unlock(superblock);
        bm.flush();
    }
}
