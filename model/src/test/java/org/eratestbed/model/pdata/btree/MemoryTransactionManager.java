package org.eratestbed.model.pdata.btree;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockValidator;
import org.eratestbed.model.pdata.tm.Shadow;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * A small in-memory transaction manager for the btree/array/bitset tests, with the semantics of
 * dm-transaction-manager.c that the data structures depend on: zeroed new blocks, shadowing that reuses a
 * block already shadowed in this transaction unless it is shared, a decrement of the original on a real
 * copy, and an allocator that never hands out a block that was in use at the last commit (so old roots stay
 * readable until the next commit). It also enforces the block manager's lock rules (no write lock on a
 * locked block, no read lock on a write-locked one) and counts held locks, so a test can assert that an
 * operation released everything it locked.
 */
public final class MemoryTransactionManager implements TransactionManager {
    public static final int BLOCK_SIZE = 4096;

    private final byte[][] blocks;
    private final int[] counts;
    private int[] committedCounts;
    private final Set<Long> shadows = new HashSet<>();
    private final Map<Long, Integer> readLocks = new HashMap<>();
    private final Map<Block, BlockValidator> writeLocks = new IdentityHashMap<>();
    /** Written blocks not yet stamped (location, checksum): stamped when read back or committed, as bufio writes later. */
    private final Map<Long, BlockValidator> dirty = new HashMap<>();
    private long allocations;

    /** A device of {@code nrBlocks} blocks; block 0 is reserved for a superblock, as dm_tm_create_with_sm does. */
    public MemoryTransactionManager(int nrBlocks) {
        blocks = new byte[nrBlocks][];
        counts = new int[nrBlocks];
        counts[0] = 1;
        committedCounts = counts.clone();
    }

    private int loc(long location) {
        if (location < 0 || location >= blocks.length) {
            throw new MetadataException(Errno.EIO, "block " + location + " beyond the device");
        }
        return (int) location;
    }

    private byte[] data(long location) {
        int l = loc(location);
        if (blocks[l] == null) {
            blocks[l] = new byte[BLOCK_SIZE];
        }
        return blocks[l];
    }

    private long allocate() {
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] == 0 && committedCounts[b] == 0) {
                counts[b] = 1;
                allocations++;
                return b;
            }
        }
        throw new MetadataException(Errno.ENOSPC, "metadata device full");
    }

    private boolean isWriteLocked(long location) {
        for (Block b : writeLocks.keySet()) {
            if (b.location() == location) {
                return true;
            }
        }
        return false;
    }

    private Block writeLock(long location, BlockValidator v) {
        if (isWriteLocked(location) || readLocks.getOrDefault(location, 0) > 0) {
            throw new IllegalStateException("write lock on locked block " + location);
        }
        Block b = new Block(location, data(location));
        writeLocks.put(b, v);
        return b;
    }

    @Override
    public Block newBlock(BlockValidator validator) {
        long b = allocate();
        Arrays.fill(data(b), (byte) 0);
        shadows.add(b);
        return writeLock(b, validator);
    }

    @Override
    public Shadow shadowBlock(long original, BlockValidator validator) {
        if (counts[loc(original)] == 0) {
            throw new IllegalStateException("shadowing free block " + original);
        }
        boolean incChildren = counts[loc(original)] > 1;
        if (shadows.contains(original) && !incChildren) {
            return new Shadow(writeLock(original, validator), false);
        }
        long copy = allocate();
        dec(original);
        Block orig = readLock(original, validator);
        Block result = writeLock(copy, validator);
        System.arraycopy(orig.data(), 0, result.data(), 0, BLOCK_SIZE);
        unlock(orig);
        shadows.add(copy);
        return new Shadow(result, incChildren);
    }

    private void stamp(long location) {
        BlockValidator v = dirty.remove(location);
        if (v != null) {
            v.prepareForWrite(new Block(location, data(location)));
        }
    }

    @Override
    public Block readLock(long location, BlockValidator validator) {
        if (isWriteLocked(location)) {
            throw new IllegalStateException("read lock on write-locked block " + location);
        }
        stamp(location);
        Block b = new Block(location, data(location));
        validator.check(b);
        readLocks.merge(location, 1, Integer::sum);
        return b;
    }

    @Override
    public void unlock(Block block) {
        BlockValidator v = writeLocks.remove(block);
        if (v != null) {
            dirty.put(block.location(), v);
            return;
        }
        Integer n = readLocks.get(block.location());
        if (n == null) {
            throw new IllegalStateException("unlock of unlocked block " + block.location());
        }
        if (n == 1) {
            readLocks.remove(block.location());
        } else {
            readLocks.put(block.location(), n - 1);
        }
    }

    @Override
    public void inc(long location) {
        counts[loc(location)]++;
    }

    @Override
    public void dec(long location) {
        if (counts[loc(location)] == 0) {
            throw new IllegalStateException("dec of free block " + location);
        }
        counts[loc(location)]--;
    }

    @Override
    public long ref(long location) {
        return counts[loc(location)];
    }

    @Override
    public boolean blockIsShared(long location) {
        return counts[loc(location)] > 1;
    }

    @Override
    public void preCommit() {
    }

    @Override
    public void commit(Block superblock) {
        unlock(superblock);
        commitTransaction();
    }

    /** Ends the transaction without a superblock: counts become the committed ones, shadows are forgotten. */
    public void commitTransaction() {
        if (heldLocks() != 0) {
            throw new IllegalStateException("commit with " + heldLocks() + " locks held");
        }
        for (Long location : List.copyOf(dirty.keySet())) {
            stamp(location);
        }
        committedCounts = counts.clone();
        shadows.clear();
    }

    public int heldLocks() {
        return writeLocks.size() + readLocks.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Blocks with a non-zero count, block 0 included (the space map's nr_allocated). */
    public int allocatedBlocks() {
        int n = 0;
        for (int c : counts) {
            if (c != 0) {
                n++;
            }
        }
        return n;
    }

    public long allocations() {
        return allocations;
    }

    /** The raw bytes of a block as they are now (tests of byte layout). */
    public byte[] rawBlock(long location) {
        stamp(location);
        return data(location).clone();
    }
}
