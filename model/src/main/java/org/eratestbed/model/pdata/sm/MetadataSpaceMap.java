package org.eratestbed.model.pdata.sm;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.tm.DmTransactionManager;

/**
 * dm-space-map-metadata: the space map that tracks the metadata device's own blocks, stored in those
 * blocks through the transaction manager (the kernel's {@code struct sm_metadata}).
 *
 * <p><b>Recursion.</b> Updating a count shadows a bitmap and the index, which allocates and frees blocks,
 * which updates counts. As in the kernel, an operation runs between {@code in()} and {@code out()}; any
 * inc, dec or allocation made while one is running ("recursing") is queued in the {@link BlockOpRing}
 * (allocation still picks its block at once and moves the cursor), and the outermost {@code out()}
 * applies the queue until it is empty. {@link #getCount} and {@link #countIsMoreThanOne} add the queued
 * adjustments.
 *
 * <p><b>Allocation</b> (kernel 5.14 and later, so 6.1): a new block must be free both in the current
 * map and in the last committed one ({@code old_ll}), so nothing the committed transaction uses is reused
 * before the next commit. The search starts at the cursor {@code begin} (one past the last allocation; not
 * reset by commit; 0 after open) and, on ENOSPC, searches again from 0. Within a bitmap it starts at
 * max(cursor, none_free_before) and skips full 32-entry words.
 *
 * <p><b>Bootstrap.</b> While the map is being created or extended it cannot describe its own blocks, so
 * it switches to the kernel's bootstrap allocator: blocks are handed out in order from {@code begin},
 * and every count change is queued, then applied (and, for extend, committed) once the structures exist.
 *
 * <p><b>Free count.</b> {@link #getNrFree} is the kernel's {@code old_ll.nr_blocks - old_ll.nr_allocated -
 * allocated_this_transaction}: frees count only after the next commit. dm-era's status reports
 * {@code getNrBlocks() - getNrFree()} as used.
 */
public final class MetadataSpaceMap implements SpaceMap {
    /** DM_SM_METADATA_MAX_BLOCKS: 255 bitmaps of 2^14 - 64 entries. */
    public static final long MAX_BLOCKS = 255L * ((1 << 14) - 64);
    /** MAX_RECURSIVE_ALLOCATIONS; the ring has one slot more. */
    static final int MAX_RECURSIVE_ALLOCATIONS = 1024;

    private DmTransactionManager tm;
    private LowLevelDisk ll;
    private LowLevelDisk oldLl;
    private long begin;
    private int recursionCount;
    private long allocatedThisTransaction;
    private final BlockOpRing uncommitted = new BlockOpRing(MAX_RECURSIVE_ALLOCATIONS + 1);
    private final Threshold threshold = new Threshold();
    private SpaceMap ops = new NormalOps();

    /** dm_sm_metadata_init: the first half of the two-phase construction (the tm and the sm refer to each other). */
    public MetadataSpaceMap() {
    }

    /**
     * dm_sm_metadata_create: a fresh map of {@code nrBlocks} (capped at {@link #MAX_BLOCKS}) blocks. With
     * bootstrap allocation from {@code superblock + 1} it creates the index block, the empty ref-count tree
     * and the bitmaps, then counts blocks {@code superblock} .. last allocated as used, and commits.
     */
    public void create(DmTransactionManager tm, long nrBlocks, long superblock) {
        this.tm = tm;
        begin = superblock + 1;
        recursionCount = 0;
        allocatedThisTransaction = 0;
        uncommitted.clear();
        threshold.init();
        ops = new BootstrapOps();
        try {
            ll = LowLevelDisk.forMetadata(tm);
            ll.newMetadata();
            // old_ll is uninitialised in the kernel until the first commit; an empty map is the safe reading.
            oldLl = ll.copy();
            ll.extend(Math.min(nrBlocks, MAX_BLOCKS));
        } finally {
            ops = new NormalOps();
        }
        uncommitted.push(BlockOpRing.Type.INC, superblock, begin);
        applyBops();
        commit();
    }

    /** dm_sm_metadata_open: the map as of a committed root (a superblock's {@code metadata_space_map_root}). */
    public void open(DmTransactionManager tm, byte[] rootLe, int offset, int len) {
        this.tm = tm;
        // the kernel copies the root out first: it may be unaligned inside the superblock
        ll = LowLevelDisk.openMetadata(tm, SmRoot.unpack(rootLe, offset, len));
        begin = 0;
        recursionCount = 0;
        allocatedThisTransaction = 0;
        uncommitted.clear();
        threshold.init();
        oldLl = ll.copy();
    }

    // ---- the dm_space_map operations: dispatched to the normal or the bootstrap behaviour ----------------

    @Override
    public void extend(long extraBlocks) {
        ops.extend(extraBlocks);
    }

    @Override
    public long getNrBlocks() {
        return ops.getNrBlocks();
    }

    @Override
    public long getNrFree() {
        return ops.getNrFree();
    }

    @Override
    public long getCount(long b) {
        return ops.getCount(b);
    }

    @Override
    public boolean countIsMoreThanOne(long b) {
        return ops.countIsMoreThanOne(b);
    }

    @Override
    public void setCount(long b, long count) {
        ops.setCount(b, count);
    }

    @Override
    public void commit() {
        ops.commit();
    }

    @Override
    public void incBlocks(long b, long e) {
        ops.incBlocks(b, e);
    }

    @Override
    public void decBlocks(long b, long e) {
        ops.decBlocks(b, e);
    }

    @Override
    public long newBlock() {
        return ops.newBlock();
    }

    @Override
    public int rootSize() {
        return ops.rootSize();
    }

    @Override
    public void copyRoot(byte[] where, int offset, int max) {
        ops.copyRoot(where, offset, max);
    }

    @Override
    public void registerThresholdCallback(long thresholdValue, Runnable fn) {
        ops.registerThresholdCallback(thresholdValue, fn);
    }

    // ---- introspection for checkers and tests ------------------------------------------------------------

    /** The root {@link #copyRoot} would write now. */
    public SmRoot root() {
        return ll.root();
    }

    /** The in-core index entry of bitmap {@code i} (current transaction). */
    public IndexEntry indexEntry(int i) {
        return ll.indexEntry(i);
    }

    /** Bitmaps the map has: ceil(nr_blocks / 16320). */
    public int nrBitmaps() {
        return (int) ((ll.nrBlocks + ll.entriesPerBlock - 1) / ll.entriesPerBlock);
    }

    public int entriesPerBitmap() {
        return ll.entriesPerBlock;
    }

    /** The raw 2-bit bitmap value of block {@code b} in the current transaction (3 = in the ref-count tree). */
    public int bitmapValue(long b) {
        return ll.lookupBitmap(b);
    }

    /**
     * Every non-zero count, reading each bitmap once (and the ref-count tree for entries that say 3), for
     * checkers that compare the space map with the references they find by walking the metadata. Call it
     * between operations: counts queued while the map updates itself are not included.
     */
    public SortedMap<Long, Long> nonZeroCounts() {
        SortedMap<Long, Long> counts = new TreeMap<>();
        int epb = ll.entriesPerBlock;
        for (int i = 0; i < nrBitmaps(); i++) {
            Block blk = tm.readLock(ll.indexEntry(i).blocknr(), SmValidators.BITMAP);
            List<Long> big = new ArrayList<>();
            try {
                long end = Math.min(epb, ll.nrBlocks - (long) i * epb);
                for (int e = 0; e < end; e++) {
                    int v = Bitmap.lookup(blk.le(), e);
                    long b = (long) i * epb + e;
                    if (v == 3) {
                        big.add(b);
                    } else if (v != 0) {
                        counts.put(b, (long) v);
                    }
                }
            } finally {
                tm.unlock(blk);
            }
            for (long b : big) {
                counts.put(b, ll.lookup(b));
            }
        }
        return counts;
    }

    /** The allocation cursor: where the next search for a free block starts. */
    public long cursor() {
        return begin;
    }

    // ---- recursion --------------------------------------------------------------------------------------

    private boolean recursing() {
        return recursionCount > 0;
    }

    private void in() {
        recursionCount++;
    }

    /** out(): the outermost level applies the queued ops. */
    private void out() {
        if (recursionCount == 0) {
            throw new MetadataException(Errno.ENOMEM, "lost track of recursion depth");
        }
        try {
            if (recursionCount == 1) {
                applyBops();
            }
        } finally {
            recursionCount--;
        }
    }

    private void applyBops() {
        while (!uncommitted.isEmpty()) {
            BlockOpRing.BlockOp op = uncommitted.peek();
            if (op.type() == BlockOpRing.Type.INC) {
                ll.inc(op.b(), op.e());
            } else {
                ll.dec(op.b(), op.e());
            }
            uncommitted.pop();
        }
    }

    /**
     * in(); op; out() with the kernel's combine_errors: out() runs even when op failed, and op's error wins.
     * Returns whether op itself succeeded (out()'s error, if any, is thrown).
     */
    private void nonRecursive(Runnable op) {
        in();
        RuntimeException first = null;
        try {
            op.run();
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            out();
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ---- normal operation (the kernel's `ops`) ----------------------------------------------------------

    private final class NormalOps implements SpaceMap {
        @Override
        public void extend(long extraBlocks) {
            long oldLen = ll.nrBlocks;
            // Flick into a mode where all blocks get allocated in the new area.
            begin = oldLen;
            ops = new BootstrapOps();
            try {
                ll.extend(extraBlocks);
                // Increment then commit until the commit allocates nothing new.
                do {
                    uncommitted.push(BlockOpRing.Type.INC, oldLen, begin);
                    oldLen = begin;
                    applyBops();
                    ll.commit();
                } while (oldLen != begin);
            } finally {
                ops = this;
            }
        }

        @Override
        public long getNrBlocks() {
            return ll.nrBlocks;
        }

        @Override
        public long getNrFree() {
            return oldLl.nrBlocks - oldLl.nrAllocated - allocatedThisTransaction;
        }

        @Override
        public long getCount(long b) {
            long adjustment = uncommitted.adjustment(b);
            return (ll.lookup(b) + adjustment) & 0xFFFFFFFFL;
        }

        @Override
        public boolean countIsMoreThanOne(long b) {
            long adjustment = uncommitted.adjustment(b);
            if (adjustment > 1) {
                return true;
            }
            int rc = ll.lookupBitmap(b);
            // 3: the real count is in the ref-count tree; err on the side of caution, as the kernel does
            return rc == 3 || rc + adjustment > 1;
        }

        @Override
        public void setCount(long b, long count) {
            if (recursionCount != 0) {
                throw new MetadataException(Errno.EINVAL, "cannot recurse set_count()");
            }
            nonRecursive(() -> ll.insert(b, count));
        }

        @Override
        public void commit() {
            ll.commit();
            oldLl = ll.copy();
            allocatedThisTransaction = 0;
        }

        @Override
        public void incBlocks(long b, long e) {
            if (recursing()) {
                uncommitted.push(BlockOpRing.Type.INC, b, e);
            } else {
                nonRecursive(() -> ll.inc(b, e));
            }
        }

        @Override
        public void decBlocks(long b, long e) {
            if (recursing()) {
                uncommitted.push(BlockOpRing.Type.DEC, b, e);
            } else {
                nonRecursive(() -> ll.dec(b, e));
            }
        }

        /** sm_metadata_new_block_ + the threshold check of sm_metadata_new_block. */
        @Override
        public long newBlock() {
            long b;
            try {
                b = ll.findCommonFreeBlock(oldLl, begin, ll.nrBlocks);
            } catch (MetadataException e) {
                if (e.errno() != Errno.ENOSPC) {
                    throw e;
                }
                // nothing free between the cursor and the end: something before it may have been freed
                b = ll.findCommonFreeBlock(oldLl, 0, begin);
            }
            begin = b + 1;
            if (recursing()) {
                uncommitted.push(BlockOpRing.Type.INC, b, b + 1);
                allocatedThisTransaction++;
            } else {
                long block = b;
                boolean[] incremented = {false};
                try {
                    nonRecursive(() -> {
                        ll.inc(block, block + 1);
                        incremented[0] = true;
                    });
                } finally {
                    // the kernel counts the allocation when sm_ll_inc succeeded, even if out() then failed
                    if (incremented[0]) {
                        allocatedThisTransaction++;
                    }
                }
            }
            threshold.check(getNrFree());
            return b;
        }

        @Override
        public int rootSize() {
            return SmRoot.SIZE;
        }

        @Override
        public void copyRoot(byte[] where, int offset, int max) {
            if (max < SmRoot.SIZE) {
                throw new MetadataException(Errno.ENOSPC, "space map root needs " + SmRoot.SIZE + " bytes, got " + max);
            }
            ll.root().pack(where, offset);
        }

        @Override
        public void registerThresholdCallback(long value, Runnable fn) {
            threshold.set(value, fn);
        }
    }

    // ---- the bootstrap allocator -------------------------------------------------------------------------

    private final class BootstrapOps implements SpaceMap {
        @Override
        public void extend(long extraBlocks) {
            throw new MetadataException(Errno.EINVAL, "bootstrap doesn't support extend");
        }

        @Override
        public long getNrBlocks() {
            return ll.nrBlocks;
        }

        @Override
        public long getNrFree() {
            return ll.nrBlocks - begin;
        }

        @Override
        public long getCount(long b) {
            return b < begin ? 1 : 0;
        }

        @Override
        public boolean countIsMoreThanOne(long b) {
            return false;
        }

        @Override
        public void setCount(long b, long count) {
            throw new MetadataException(Errno.EINVAL, "bootstrap doesn't support set_count");
        }

        @Override
        public void commit() {
        }

        @Override
        public void incBlocks(long b, long e) {
            uncommitted.push(BlockOpRing.Type.INC, b, e);
        }

        @Override
        public void decBlocks(long b, long e) {
            uncommitted.push(BlockOpRing.Type.DEC, b, e);
        }

        @Override
        public long newBlock() {
            // the whole area being bootstrapped is known to be unused
            if (begin == ll.nrBlocks) {
                throw new MetadataException(Errno.ENOSPC, "bootstrap allocator ran out of blocks at " + begin);
            }
            return begin++;
        }

        @Override
        public int rootSize() {
            throw new MetadataException(Errno.EINVAL, "bootstrap doesn't support root_size");
        }

        @Override
        public void copyRoot(byte[] where, int offset, int max) {
            throw new MetadataException(Errno.EINVAL, "bootstrap doesn't support copy_root");
        }

        @Override
        public void registerThresholdCallback(long value, Runnable fn) {
            throw new MetadataException(Errno.EINVAL, "bootstrap doesn't support threshold callbacks");
        }
    }

    /** The kernel's edge-triggered low-space threshold. */
    private static final class Threshold {
        private boolean thresholdSet;
        private boolean valueSet;
        private long threshold;
        private long currentValue;
        private Runnable fn;

        void init() {
            thresholdSet = false;
            valueSet = false;
        }

        void set(long value, Runnable callback) {
            thresholdSet = true;
            threshold = value;
            fn = callback;
        }

        private boolean below(long value) {
            return thresholdSet && value <= threshold;
        }

        void check(long value) {
            if (below(value) && !(valueSet && below(currentValue))) {
                fn.run();
            }
            valueSet = true;
            currentValue = value;
        }
    }
}
