package org.eratestbed.model.pdata.sm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeNode;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.eratestbed.model.pdata.tm.Shadow;

/**
 * struct ll_disk with the metadata index (dm-space-map-common.c, the {@code metadata_ll_*} variant): the
 * on-disk reference counts. Bitmap blocks are found through one index block ({@code disk_metadata_index},
 * 255 entries) that is held in core ({@code mi_le}) and written, shadowed to a new block, at every
 * {@link #commit()} that follows a change. Counts above 2 live in the ref-count btree.
 *
 * <p>Every block it writes goes through the transaction manager (shadowing), so operations may allocate
 * and recurse into the space map; {@link MetadataSpaceMap} handles that recursion. {@link #copy()} is the
 * kernel's {@code memcpy(&old_ll, &ll)}: the metadata space map keeps the last committed state to avoid
 * handing out blocks the committed transaction still uses.
 */
final class LowLevelDisk {
    static final int MAX_METADATA_BITMAPS = 255;
    private static final int INDEX_ENTRIES_OFFSET = 16;

    private final DmTransactionManager tm;
    private final RefCountTree refCounts;
    final int entriesPerBlock;
    long nrBlocks;
    long nrAllocated;
    /** The index block. */
    long bitmapRoot;
    long refCountRoot;
    /** mi_le: the in-core index; its {@code padding} word is carried through as read. */
    private final IndexEntry[] index = new IndexEntry[MAX_METADATA_BITMAPS];
    private int indexPadding;
    boolean bitmapIndexChanged;

    private LowLevelDisk(DmTransactionManager tm) {
        this.tm = tm;
        this.refCounts = new RefCountTree(tm);
        int blockSize = tm.blockManager().blockSize();
        this.entriesPerBlock = Bitmap.entriesPerBlock(blockSize);
        java.util.Arrays.fill(index, new IndexEntry(0, 0, 0));
    }

    private LowLevelDisk(LowLevelDisk other) {
        this.tm = other.tm;
        this.refCounts = other.refCounts;
        this.entriesPerBlock = other.entriesPerBlock;
        this.nrBlocks = other.nrBlocks;
        this.nrAllocated = other.nrAllocated;
        this.bitmapRoot = other.bitmapRoot;
        this.refCountRoot = other.refCountRoot;
        System.arraycopy(other.index, 0, this.index, 0, MAX_METADATA_BITMAPS);
        this.indexPadding = other.indexPadding;
        this.bitmapIndexChanged = other.bitmapIndexChanged;
    }

    LowLevelDisk copy() {
        return new LowLevelDisk(this);
    }

    /** sm_ll_init for the metadata index: no blocks, no index block yet. */
    static LowLevelDisk forMetadata(DmTransactionManager tm) {
        return new LowLevelDisk(tm);
    }

    /**
     * sm_ll_new_metadata (after sm_ll_init): a new index block and an empty ref-count tree. The space map
     * is already bootstrapping and sees this (still empty) map while the two blocks are allocated.
     */
    void newMetadata() {
        Block b = tm.newBlock(SmValidators.INDEX);
        bitmapRoot = b.location();
        tm.unlock(b);
        refCountRoot = refCounts.empty();
    }

    /** sm_ll_open_metadata: the counts as of the committed root, with the index read from its block. */
    static LowLevelDisk openMetadata(DmTransactionManager tm, SmRoot root) {
        LowLevelDisk ll = new LowLevelDisk(tm);
        ll.nrBlocks = root.nrBlocks();
        ll.nrAllocated = root.nrAllocated();
        ll.bitmapRoot = root.bitmapRoot();
        ll.refCountRoot = root.refCountRoot();
        Block b = tm.readLock(ll.bitmapRoot, SmValidators.INDEX);
        try {
            ByteBuffer le = b.le();
            ll.indexPadding = le.getInt(4);
            for (int i = 0; i < MAX_METADATA_BITMAPS; i++) {
                int off = INDEX_ENTRIES_OFFSET + i * IndexEntry.SIZE;
                ll.index[i] = new IndexEntry(le.getLong(off), le.getInt(off + 8), le.getInt(off + 12));
            }
        } finally {
            tm.unlock(b);
        }
        return ll;
    }

    SmRoot root() {
        return new SmRoot(nrBlocks, nrAllocated, bitmapRoot, refCountRoot);
    }

    IndexEntry loadIe(long i) {
        return index[(int) i];
    }

    void saveIe(long i, IndexEntry ie) {
        bitmapIndexChanged = true;
        index[(int) i] = ie;
    }

    private static long divUp(long n, long d) {
        return (n + d - 1) / d;
    }

    /** sm_ll_extend: new bitmap blocks (all entries free) for the added range. */
    void extend(long extraBlocks) {
        long newNrBlocks = nrBlocks + extraBlocks;
        long oldBitmaps = divUp(nrBlocks, entriesPerBlock);
        long bitmaps = divUp(newNrBlocks, entriesPerBlock);
        if (bitmaps > MAX_METADATA_BITMAPS) {
            throw new MetadataException(Errno.EINVAL, "space map too large: " + newNrBlocks + " blocks need "
                    + bitmaps + " bitmaps, the metadata index holds " + MAX_METADATA_BITMAPS);
        }
        // Set before allocating: the bitmap blocks come from the range being added when bootstrapping.
        nrBlocks = newNrBlocks;
        for (long i = oldBitmaps; i < bitmaps; i++) {
            Block b = tm.newBlock(SmValidators.BITMAP);
            long location = b.location();
            tm.unlock(b);
            saveIe(i, new IndexEntry(location, entriesPerBlock, 0));
        }
    }

    /** sm_ll_lookup_bitmap: the 2-bit value (3 = look in the ref-count tree). */
    int lookupBitmap(long b) {
        if (b < 0 || b >= nrBlocks) {
            throw new MetadataException(Errno.EINVAL, "metadata block out of bounds: " + b + " >= " + nrBlocks);
        }
        IndexEntry ie = loadIe(b / entriesPerBlock);
        Block blk = tm.readLock(ie.blocknr(), SmValidators.BITMAP);
        try {
            return Bitmap.lookup(blk.le(), (int) (b % entriesPerBlock));
        } finally {
            tm.unlock(blk);
        }
    }

    /** sm_ll_lookup: the reference count. */
    long lookup(long b) {
        int v = lookupBitmap(b);
        return v != 3 ? v : refCounts.lookup(refCountRoot, b);
    }

    /** sm_ll_find_free_block: the first block in [begin, end) that is free in this map; ENOSPC if none. */
    long findFreeBlock(long begin, long end) {
        long indexBegin = begin / entriesPerBlock;
        long bitBegin = begin % entriesPerBlock;
        long indexEnd = divUp(end, entriesPerBlock);
        long bitEndLast = end % entriesPerBlock;
        if (bitEndLast == 0) {
            bitEndLast = entriesPerBlock;
        }
        for (long i = indexBegin; i < indexEnd; i++, bitBegin = 0) {
            IndexEntry ie = loadIe(i);
            if (ie.nrFree() == 0) {
                continue;
            }
            Block blk = tm.readLock(ie.blocknr(), SmValidators.BITMAP);
            int position;
            try {
                long bitEnd = i == indexEnd - 1 ? bitEndLast : entriesPerBlock;
                // none_free_before is unsigned on disk; a corrupt huge value just finds nothing here.
                long from = Math.max(bitBegin, Integer.toUnsignedLong(ie.noneFreeBefore()));
                position = from >= bitEnd ? -1 : Bitmap.findFree(blk.le(), (int) from, (int) bitEnd);
            } finally {
                tm.unlock(blk);
            }
            if (position < 0) {
                // possible because the search started part way through the bitmap
                continue;
            }
            return i * entriesPerBlock + position;
        }
        throw new MetadataException(Errno.ENOSPC, "no free metadata block in [" + begin + ", " + end + ")");
    }

    /**
     * sm_ll_find_common_free_block: a block free in this map and in {@code old} (the last committed map).
     * As in the kernel, {@code end} is not used: the search always runs to the end of this map.
     */
    long findCommonFreeBlock(LowLevelDisk old, long begin, long end) {
        while (true) {
            long b = findFreeBlock(begin, nrBlocks);
            if (b >= old.nrBlocks || old.lookup(b) == 0) {
                return b;
            }
            begin = b + 1;
        }
    }

    /** sm_ll_insert: set a count directly; returns the net number of allocations (-1, 0 or 1). */
    int insert(long b, long refCount) {
        long i = b / entriesPerBlock;
        int bit = (int) (b % entriesPerBlock);
        IndexEntry ie = loadIe(i);
        Shadow nb = tm.shadowBlock(ie.blocknr(), SmValidators.BITMAP);
        ie = ie.withBlocknr(nb.block().location());
        long old;
        try {
            old = Bitmap.lookup(nb.block().le(), bit);
            if (old > 2) {
                old = refCounts.lookup(refCountRoot, b);
            }
            Bitmap.set(nb.block().le(), bit, refCount <= 2 ? (int) refCount : 3);
        } finally {
            tm.unlock(nb.block());
        }
        if (refCount <= 2) {
            if (old > 2) {
                refCountRoot = refCounts.remove(refCountRoot, b);
            }
        } else {
            refCountRoot = refCounts.insert(refCountRoot, b, refCount);
        }
        int nrAllocations = 0;
        if (refCount != 0 && old == 0) {
            nrAllocations = 1;
            nrAllocated++;
            ie = ie.withNrFree(ie.nrFree() - 1);
            if (ie.noneFreeBefore() == bit) {
                ie = ie.withNoneFreeBefore(bit + 1);
            }
        } else if (old != 0 && refCount == 0) {
            nrAllocations = -1;
            nrAllocated--;
            ie = ie.withNrFree(ie.nrFree() + 1).withNoneFreeBefore(Math.min(ie.noneFreeBefore(), bit));
        }
        saveIe(i, ie);
        return nrAllocations;
    }

    /**
     * The kernel's struct inc_context: the index entry being updated, the bitmap (write-locked, or dropped
     * while the ref-count tree runs, since that may allocate and so read bitmaps) and the ref-count leaf
     * last updated in place, kept so a run of big counts in one leaf is shadowed only once.
     */
    private final class IncContext {
        IndexEntry ie;
        Block bitmap;
        Block overflowLeaf;

        IncContext(IndexEntry ie) {
            this.ie = ie;
        }

        /** shadow_bitmap: the first access of an inc/dec shadows the bitmap. */
        void shadowBitmap() {
            Shadow s = tm.shadowBlock(ie.blocknr(), SmValidators.BITMAP);
            bitmap = s.block();
            ie = ie.withBlocknr(bitmap.location());
        }

        /** ensure_bitmap: after a drop, the shadow is re-locked directly, not shadowed again. */
        ByteBuffer ensureBitmap() {
            if (bitmap == null) {
                bitmap = tm.blockManager().writeLock(ie.blocknr(), SmValidators.BITMAP);
            }
            return bitmap.le();
        }

        /** reset_inc_context: drop the bitmap and the overflow leaf. */
        void reset() {
            if (bitmap != null) {
                Block b = bitmap;
                bitmap = null;
                tm.unlock(b);
            }
            if (overflowLeaf != null) {
                Block b = overflowLeaf;
                overflowLeaf = null;
                tm.unlock(b);
            }
        }

        /** The value offset of key {@code b} in the held overflow leaf, or -1 (contains_key after lower_bound). */
        int heldLeafSlot(long b) {
            if (overflowLeaf == null) {
                return -1;
            }
            BTreeNode n = new BTreeNode(overflowLeaf);
            return containsKey(n, b, n.lowerBound(b)) ? n.valueOffset(n.lowerBound(b)) : -1;
        }

        /** Shadow the path to {@code b}'s leaf (btree_get_overwrite_leaf) and hold it; returns the value offset. */
        int getOverwriteLeaf(long b) {
            reset();
            BTree.OverwriteLeaf ol = refCounts.overwriteLeaf(refCountRoot, b);
            refCountRoot = ol.newRoot();
            overflowLeaf = ol.leaf();
            BTreeNode n = new BTreeNode(overflowLeaf);
            if (!containsKey(n, b, ol.index())) {
                throw new MetadataException(Errno.EINVAL, "overflow btree is missing an entry for block " + b);
            }
            return n.valueOffset(ol.index());
        }
    }

    private static boolean containsKey(BTreeNode n, long key, int index) {
        return index >= 0 && index < n.nrEntries() && n.key(index) == key;
    }

    /** sm_ll_inc_overflow: one more for a block whose count is already in the tree. */
    private void incOverflow(IncContext ic, long b) {
        int off = ic.heldLeafSlot(b);
        if (off < 0) {
            off = ic.getOverwriteLeaf(b);
        }
        ByteBuffer le = ic.overflowLeaf.le();
        le.putInt(off, le.getInt(off) + 1);
    }

    /** sm_ll_dec_overflow: one less for a block in the tree; returns its old count (3 means it left the tree). */
    private long decOverflow(IncContext ic, long b) {
        int off = ic.heldLeafSlot(b);
        boolean held = off >= 0;
        if (!held) {
            off = ic.getOverwriteLeaf(b);
        }
        ByteBuffer le = ic.overflowLeaf.le();
        long rc = Integer.toUnsignedLong(le.getInt(off));
        // the kernel's two paths differ only for a (corrupt) count below 3 in the tree
        if (held ? rc > 3 : rc != 3) {
            le.putInt(off, (int) (rc - 1));
        } else {
            // __sm_ll_del_overflow: back to 2, which the bitmap holds by itself
            ic.reset();
            refCountRoot = refCounts.remove(refCountRoot, b);
        }
        return rc;
    }

    /** sm_ll_inc: increment [b, e); returns the net number of allocations. */
    int inc(long b, long e) {
        int[] nrAllocations = {0};
        while (b != e) {
            b = incOneBitmap(b, e, nrAllocations);
        }
        return nrAllocations[0];
    }

    private long incOneBitmap(long b, long e, int[] nrAllocations) {
        long i = b / entriesPerBlock;
        int bit = (int) (b % entriesPerBlock);
        IncContext ic = new IncContext(loadIe(i));
        ic.shadowBitmap();
        int bitEnd = (int) Math.min(bit + (e - b), entriesPerBlock);
        try {
            for (; bit != bitEnd; bit++, b++) {
                ByteBuffer bm = ic.ensureBitmap();
                int old = Bitmap.lookup(bm, bit);
                switch (old) {
                    case 0 -> {
                        Bitmap.set(bm, bit, 1);
                        nrAllocations[0]++;
                        nrAllocated++;
                        ic.ie = ic.ie.withNrFree(ic.ie.nrFree() - 1);
                        if (ic.ie.noneFreeBefore() == bit) {
                            ic.ie = ic.ie.withNoneFreeBefore(bit + 1);
                        }
                    }
                    case 1 -> Bitmap.set(bm, bit, 2);
                    case 2 -> {
                        Bitmap.set(bm, bit, 3);
                        ic.reset();
                        refCountRoot = refCounts.insert(refCountRoot, b, 3);
                    }
                    default -> incOverflow(ic, b);
                }
            }
        } finally {
            ic.reset();
        }
        saveIe(i, ic.ie);
        return b;
    }

    /** sm_ll_dec: decrement [b, e); returns the net number of allocations (negative: frees). */
    int dec(long b, long e) {
        int[] nrAllocations = {0};
        while (b != e) {
            b = decOneBitmap(b, e, nrAllocations);
        }
        return nrAllocations[0];
    }

    private long decOneBitmap(long b, long e, int[] nrAllocations) {
        long i = b / entriesPerBlock;
        int bit = (int) (b % entriesPerBlock);
        IncContext ic = new IncContext(loadIe(i));
        ic.shadowBitmap();
        int bitEnd = (int) Math.min(bit + (e - b), entriesPerBlock);
        try {
            for (; bit != bitEnd; bit++, b++) {
                ByteBuffer bm = ic.ensureBitmap();
                int old = Bitmap.lookup(bm, bit);
                switch (old) {
                    case 0 -> throw new MetadataException(Errno.EINVAL, "unable to decrement block " + b
                            + ": its count is already 0");
                    case 1 -> {
                        Bitmap.set(bm, bit, 0);
                        nrAllocations[0]--;
                        nrAllocated--;
                        ic.ie = ic.ie.withNrFree(ic.ie.nrFree() + 1)
                                .withNoneFreeBefore(Math.min(ic.ie.noneFreeBefore(), bit));
                    }
                    case 2 -> Bitmap.set(bm, bit, 1);
                    default -> {
                        if (decOverflow(ic, b) == 3) {
                            Bitmap.set(ic.ensureBitmap(), bit, 2);
                        }
                    }
                }
            }
        } finally {
            ic.reset();
        }
        saveIe(i, ic.ie);
        return b;
    }

    /** sm_ll_commit / metadata_ll_commit: if the index changed, shadow the index block and write mi_le into it. */
    void commit() {
        if (!bitmapIndexChanged) {
            return;
        }
        Shadow s = tm.shadowBlock(bitmapRoot, SmValidators.INDEX);
        Block b = s.block();
        ByteBuffer le = b.le();
        // mi_le's csum and blocknr are zero in core; prepare_for_write fills both when the block is written.
        le.putInt(0, 0);
        le.putInt(4, indexPadding);
        le.putLong(8, 0);
        for (int i = 0; i < MAX_METADATA_BITMAPS; i++) {
            int off = INDEX_ENTRIES_OFFSET + i * IndexEntry.SIZE;
            le.putLong(off, index[i].blocknr());
            le.putInt(off + 8, index[i].nrFree());
            le.putInt(off + 12, index[i].noneFreeBefore());
        }
        bitmapRoot = b.location();
        tm.unlock(b);
        bitmapIndexChanged = false;
    }

    /** For checks: the index entry of bitmap {@code i}. */
    IndexEntry indexEntry(int i) {
        return index[i];
    }

    static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
}
