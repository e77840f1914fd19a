package org.eratestbed.model.pdata.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.Bug;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.Shadow;

/**
 * dm-array (persistent-data/dm-array.c): a fixed-size array of values kept as a fully populated one-level
 * btree from array-block index (0, 1, 2, ...) to array blocks of packed values. Element i lives in array
 * block i / max_entries at slot i % max_entries; every array block is full except the last. The functions
 * are the kernel's, so resizing adds, fills, trims and drops array blocks one at a time in the kernel's
 * order, and every update copies the touched array block on write.
 *
 * <p>Indexes and sizes are the kernel's uint32; the model takes them as non-negative ints (dm-era limits
 * its arrays to fewer than 2^31 entries).
 */
public final class DmArray {
    private DmArray() {
    }

    private static int sizeOfBlock() {
        return BlockManager.BLOCK_SIZE;
    }

    static int maxEntries(ArrayInfo info) {
        return ArrayBlock.calcMaxEntries(info.valueType().size(), sizeOfBlock());
    }

    private static void checkIndex(long i, String what) {
        if (i < 0) {
            throw new IllegalArgumentException(what + " must be a uint32 below 2^31: " + i);
        }
    }

    // ---------------------------------------------------------------- array blocks

    private static Block allocAblock(ArrayInfo info, int maxEntries) {
        Block block = info.tm().newBlock(ArrayBlockValidator.INSTANCE);
        ArrayBlock ab = new ArrayBlock(block);
        ab.setMaxEntries(maxEntries);
        ab.setNrEntries(0);
        ab.setValueSize(info.valueType().size());
        return block;
    }

    /**
     * fill_ablock: pad with {@code value} up to newNr entries. The kernel calls the element type's inc once
     * with count = delta on the single value (reading past it); the model increments that value delta times,
     * which is what the call means. No dm-era or in-tree array value type has an inc.
     */
    private static void fillAblock(ArrayInfo info, ArrayBlock ab, byte[] value, int newNr) {
        ValueType vt = info.valueType();
        Bug.on(Integer.compareUnsigned(newNr, ab.maxEntries()) > 0, "fill_ablock past max_entries");
        Bug.on(Integer.compareUnsigned(newNr, ab.nrEntries()) < 0, "fill_ablock shrinking");
        int nr = ab.nrEntries();
        int delta = newNr - nr;
        if (vt.hasInc()) {
            for (int i = 0; i < delta; i++) {
                vt.inc().apply(value, 0, 1);
            }
        }
        for (int i = nr; i < newNr; i++) {
            System.arraycopy(value, 0, ab.data(), ArrayBlock.elementOffset(vt.size(), i), vt.size());
        }
        ab.setNrEntries(newNr);
    }

    /**
     * trim_ablock: drop entries from the back. The bytes are left in place (only nr_entries shrinks). As in
     * the kernel since 5.14, dec is given the delta values starting at element newNr - 1, one slot early
     * (for newNr 0 that is inside the header); no dm-era or in-tree array value type has a dec.
     */
    private static void trimAblock(ArrayInfo info, ArrayBlock ab, int newNr) {
        ValueType vt = info.valueType();
        Bug.on(Integer.compareUnsigned(newNr, ab.maxEntries()) > 0, "trim_ablock past max_entries");
        Bug.on(Integer.compareUnsigned(newNr, ab.nrEntries()) > 0, "trim_ablock growing");
        int nr = ab.nrEntries();
        int delta = nr - newNr;
        if (vt.hasDec()) {
            vt.dec().apply(ab.data(), ArrayBlock.elementOffset(vt.size(), newNr - 1), delta);
        }
        ab.setNrEntries(newNr);
    }

    private static Block getAblock(ArrayInfo info, long b) {
        return info.tm().readLock(b, ArrayBlockValidator.INSTANCE);
    }

    private static long le64(byte[] v) {
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v).array();
    }

    /** lookup_ablock: find the index-th array block in the btree and read-lock it. */
    private static Block lookupAblock(ArrayInfo info, long root, int index) {
        byte[] blockLe = BTree.lookup(info.btreeInfo(), root, Integer.toUnsignedLong(index));
        return getAblock(info, le64(blockLe));
    }

    /** insert_ablock: point btree key {@code index} at {@code block}; the block stays locked. */
    private static long insertAblock(ArrayInfo info, long index, Block block, long root) {
        return BTree.insert(info.btreeInfo(), root, index, le64(block.location()));
    }

    /** __shadow_ablock: copy-on-write an array block; a copy of a shared block references its elements too. */
    private static Block shadowAblockRaw(ArrayInfo info, long b) {
        Shadow shadow = info.tm().shadowBlock(b, ArrayBlockValidator.INSTANCE);
        if (shadow.incChildren()) {
            info.incAblockEntries(new ArrayBlock(shadow.block()));
        }
        return shadow.block();
    }

    /**
     * __reinsert_ablock: only a real copy needs the btree updated. The shadow already dropped the old
     * block's count, but the btree still points at it; increment it so the overwrite's dec (block_dec) does
     * not take it below zero.
     */
    private static long reinsertAblock(ArrayInfo info, int index, Block block, long b, long root) {
        if (block.location() != b) {
            info.tm().inc(b);
            root = insertAblock(info, Integer.toUnsignedLong(index), block, root);
        }
        return root;
    }

    /** The result of {@link #shadowAblock}: the new root and the write-locked array block. */
    private record ShadowedAblock(long root, Block block) {
    }

    /** shadow_ablock: look up an array block, shadow it and point the btree at the shadow. */
    private static ShadowedAblock shadowAblock(ArrayInfo info, long root, int index) {
        long b = le64(BTree.lookup(info.btreeInfo(), root, Integer.toUnsignedLong(index)));
        Block block = shadowAblockRaw(info, b);
        try {
            return new ShadowedAblock(reinsertAblock(info, index, block, b, root), block);
        } catch (MetadataException e) {
            info.tm().unlock(block);
            throw e;
        }
    }

    /** insert_new_ablock: a new array block holding nr copies of value, inserted under blockIndex. */
    private static long insertNewAblock(ArrayInfo info, int maxEntries, int blockIndex, int nr, byte[] value,
                                        long root) {
        Block block = allocAblock(info, maxEntries);
        try {
            fillAblock(info, new ArrayBlock(block), value, nr);
            return insertAblock(info, Integer.toUnsignedLong(blockIndex), block, root);
        } finally {
            info.tm().unlock(block);
        }
    }

    private static long insertFullAblocks(ArrayInfo info, int beginBlock, int endBlock, int maxEntries,
                                          byte[] value, long root) {
        for (; beginBlock != endBlock; beginBlock++) {
            root = insertNewAblock(info, maxEntries, beginBlock, maxEntries, value, root);
        }
        return root;
    }

    // ---------------------------------------------------------------- resize

    /** struct resize: the state the resize helpers share; {@code root} is updated as they go. */
    private static final class Resize {
        ArrayInfo info;
        long root;
        int maxEntries;
        int oldNrFullBlocks;
        int newNrFullBlocks;
        int oldNrEntriesInLastBlock;
        int newNrEntriesInLastBlock;
        byte[] value;
    }

    /** drop_blocks: remove array blocks [begin, end) from the btree; block_dec releases each. */
    private static void dropBlocks(Resize resize, int beginIndex, int endIndex) {
        while (beginIndex != endIndex) {
            long key = Integer.toUnsignedLong(beginIndex++);
            resize.root = BTree.remove(resize.info.btreeInfo(), resize.root, key);
        }
    }

    private static int totalNrBlocksNeeded(int nrFullBlocks, int nrEntriesInLastBlock) {
        return nrFullBlocks + (nrEntriesInLastBlock != 0 ? 1 : 0);
    }

    private static void shrink(Resize resize) {
        if (resize.newNrFullBlocks < resize.oldNrFullBlocks) {
            int begin = totalNrBlocksNeeded(resize.newNrFullBlocks, resize.newNrEntriesInLastBlock);
            int end = totalNrBlocksNeeded(resize.oldNrFullBlocks, resize.oldNrEntriesInLastBlock);
            dropBlocks(resize, begin, end);
        }
        if (resize.newNrEntriesInLastBlock != 0) {
            ShadowedAblock s = shadowAblock(resize.info, resize.root, resize.newNrFullBlocks);
            resize.root = s.root();
            try {
                trimAblock(resize.info, new ArrayBlock(s.block()), resize.newNrEntriesInLastBlock);
            } finally {
                resize.info.tm().unlock(s.block());
            }
        }
    }

    private static void growExtendTailBlock(Resize resize, int newNrEntries) {
        ShadowedAblock s = shadowAblock(resize.info, resize.root, resize.oldNrFullBlocks);
        resize.root = s.root();
        try {
            fillAblock(resize.info, new ArrayBlock(s.block()), resize.value, newNrEntries);
        } finally {
            resize.info.tm().unlock(s.block());
        }
    }

    private static void growAddTailBlock(Resize resize) {
        resize.root = insertNewAblock(resize.info, resize.maxEntries, resize.newNrFullBlocks,
                resize.newNrEntriesInLastBlock, resize.value, resize.root);
    }

    private static void growNeedsMoreBlocks(Resize resize) {
        int oldNrBlocks = resize.oldNrFullBlocks;
        if (resize.oldNrEntriesInLastBlock > 0) {
            oldNrBlocks++;
            growExtendTailBlock(resize, resize.maxEntries);
        }
        resize.root = insertFullAblocks(resize.info, oldNrBlocks, resize.newNrFullBlocks, resize.maxEntries,
                resize.value, resize.root);
        if (resize.newNrEntriesInLastBlock != 0) {
            growAddTailBlock(resize);
        }
    }

    private static void grow(Resize resize) {
        if (resize.newNrFullBlocks > resize.oldNrFullBlocks) {
            growNeedsMoreBlocks(resize);
        } else if (resize.oldNrEntriesInLastBlock != 0) {
            growExtendTailBlock(resize, resize.newNrEntriesInLastBlock);
        } else {
            growAddTailBlock(resize);
        }
    }

    /**
     * dm_array_resize: grow (new entries get {@code value}) or shrink from {@code oldSize} to
     * {@code newSize} entries. A failure leaves the caller with its old root, as in the kernel.
     */
    public static long resize(ArrayInfo info, long root, int oldSize, int newSize, byte[] value) {
        checkIndex(oldSize, "old size");
        checkIndex(newSize, "new size");
        if (oldSize == newSize) {
            return root;
        }
        if (value.length < info.valueType().size()) {
            throw new IllegalArgumentException("default value shorter than the value size");
        }
        Resize resize = new Resize();
        resize.info = info;
        resize.root = root;
        resize.maxEntries = maxEntries(info);
        resize.oldNrFullBlocks = oldSize / resize.maxEntries;
        resize.oldNrEntriesInLastBlock = oldSize % resize.maxEntries;
        resize.newNrFullBlocks = newSize / resize.maxEntries;
        resize.newNrEntriesInLastBlock = newSize % resize.maxEntries;
        resize.value = value;
        if (newSize > oldSize) {
            grow(resize);
        } else {
            shrink(resize);
        }
        return resize.root;
    }

    // ---------------------------------------------------------------- the rest of the API

    /** dm_array_empty: an empty array is an empty btree leaf with 8-byte values. */
    public static long empty(ArrayInfo info) {
        return BTree.empty(info.btreeInfo());
    }

    /** value_fn of dm_array_new: fills element {@code index} at {@code data[offset..]}. */
    @FunctionalInterface
    public interface ValueFn {
        void fill(int index, byte[] data, int offset);
    }

    /** dm_array_new: an array of {@code size} entries built block by block, element values from {@code fn}. */
    public static long newArray(ArrayInfo info, int size, ValueFn fn) {
        checkIndex(size, "size");
        long root = empty(info);
        int maxEntries = maxEntries(info);
        int endBlock = (int) ((Integer.toUnsignedLong(size) + maxEntries - 1) / maxEntries);
        ValueType vt = info.valueType();
        int remaining = size;
        for (int blockIndex = 0; blockIndex != endBlock; blockIndex++) {
            Block block = allocAblock(info, maxEntries);
            try {
                ArrayBlock ab = new ArrayBlock(block);
                Bug.on(ab.nrEntries() != 0, "populate non-empty array block");
                int newNr = Math.min(maxEntries, remaining);
                Bug.on(newNr > ab.maxEntries(), "populate past max_entries");
                for (int i = 0; i < newNr; i++) {
                    int off = ArrayBlock.elementOffset(vt.size(), i);
                    fn.fill(blockIndex * maxEntries + i, ab.data(), off);
                    if (vt.hasInc()) {
                        vt.inc().apply(ab.data(), off, 1);
                    }
                }
                ab.setNrEntries(newNr);
                root = insertAblock(info, blockIndex, block, root);
            } finally {
                info.tm().unlock(block);
            }
            remaining -= maxEntries;
        }
        return root;
    }

    /** dm_array_del: drop the array (its btree, its array blocks and their elements). */
    public static void del(ArrayInfo info, long root) {
        BTree.del(info.btreeInfo(), root);
    }

    /** dm_array_get_value: a copy of element {@code index}; ENODATA past the end. */
    public static byte[] getValue(ArrayInfo info, long root, int index) {
        checkIndex(index, "index");
        int maxEntries = maxEntries(info);
        Block block = lookupAblock(info, root, index / maxEntries);
        try {
            ArrayBlock ab = new ArrayBlock(block);
            int entry = index % maxEntries;
            if (entry >= ab.nrEntries()) {
                throw new MetadataException(Errno.ENODATA, "array index " + index + " past the end");
            }
            int size = info.valueType().size();
            byte[] v = new byte[size];
            System.arraycopy(ab.data(), ArrayBlock.elementOffset(size, entry), v, 0, size);
            return v;
        } finally {
            info.tm().unlock(block);
        }
    }

    /**
     * dm_array_set_value: copy-on-write the array block and store {@code value} at {@code index}. An index
     * in a missing array block fails with ENODATA from the btree (old root kept); an index past nr_entries
     * of the last block fails with {@link RootMovedException} (ENODATA) carrying the root the kernel had
     * already stored. The element type's dec/inc run only when the value changes.
     */
    public static long setValue(ArrayInfo info, long root, int index, byte[] value) {
        checkIndex(index, "index");
        ValueType vt = info.valueType();
        if (value.length < vt.size()) {
            throw new IllegalArgumentException("value shorter than the value size");
        }
        int maxEntries = maxEntries(info);
        ShadowedAblock s = shadowAblock(info, root, index / maxEntries);
        long newRoot = s.root();
        try {
            ArrayBlock ab = new ArrayBlock(s.block());
            int entry = index % maxEntries;
            if (entry >= ab.nrEntries()) {
                throw new RootMovedException(Errno.ENODATA, "array index " + index + " past the end", newRoot);
            }
            int off = ArrayBlock.elementOffset(vt.size(), entry);
            if (vt.hasDec() && (!vt.hasEqual() || !vt.equal().equal(ab.data(), off, value, 0))) {
                vt.dec().apply(ab.data(), off, 1);
                if (vt.hasInc()) {
                    vt.inc().apply(value, 0, 1);
                }
            }
            System.arraycopy(value, 0, ab.data(), off, vt.size());
            return newRoot;
        } finally {
            info.tm().unlock(s.block());
        }
    }

    /** The callback of {@link #walk}: element {@code index} at {@code data[offset..]}. */
    @FunctionalInterface
    public interface ElementFn {
        void visit(long index, byte[] data, int offset);
    }

    /** dm_array_walk: every element in index order (index = block key * the block's max_entries + slot). */
    public static void walk(ArrayInfo info, long root, ElementFn fn) {
        int size = info.valueType().size();
        BTree.walk(info.btreeInfo(), root, (key, data, offset) -> {
            long b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
            Block block = getAblock(info, b);
            try {
                ArrayBlock ab = new ArrayBlock(block);
                int max = ab.maxEntries();
                int nr = ab.nrEntries();
                for (int i = 0; i < nr; i++) {
                    fn.visit(key * Integer.toUnsignedLong(max) + i, ab.data(), ArrayBlock.elementOffset(size, i));
                }
            } finally {
                info.tm().unlock(block);
            }
        });
    }
}
