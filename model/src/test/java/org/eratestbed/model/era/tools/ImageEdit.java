package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/** Hand edits of an in-memory image for the corruption tests: fields, checksums, space-map entries, clones. */
final class ImageEdit {
    final byte[] img;

    ImageEdit(byte[] img) {
        this.img = img;
    }

    long nrBlocks() {
        return img.length / BLOCK_SIZE;
    }

    byte[] block(long b) {
        byte[] d = new byte[BLOCK_SIZE];
        System.arraycopy(img, (int) (b * BLOCK_SIZE), d, 0, BLOCK_SIZE);
        return d;
    }

    void put(long b, byte[] d) {
        System.arraycopy(d, 0, img, (int) (b * BLOCK_SIZE), BLOCK_SIZE);
    }

    long u32(long b, int off) {
        return Le.u32(img, (int) (b * BLOCK_SIZE) + off);
    }

    long u64(long b, int off) {
        return Le.u64(img, (int) (b * BLOCK_SIZE) + off);
    }

    void put32(long b, int off, long v) {
        Le.put32(img, (int) (b * BLOCK_SIZE) + off, v);
    }

    void put64(long b, int off, long v) {
        Le.put64(img, (int) (b * BLOCK_SIZE) + off, v);
    }

    /** The type whose salt the block's checksum matches, or null. */
    BlockType type(long b) {
        byte[] d = block(b);
        for (BlockType t : BlockType.values()) {
            if (Checksum.blockChecksum(d, t) == (int) Le.u32(d, 0)) {
                return t;
            }
        }
        return null;
    }

    void fix(long b, BlockType t) {
        byte[] d = block(b);
        Le.put32(d, 0, Checksum.blockChecksum(d, t));
        put(b, d);
    }

    long indexBlock() {
        return u64(0, SB_SM_ROOT + SMR_BITMAP_ROOT);
    }

    /** The space map's 2-bit entry of block {@code b}. */
    int smEntry(long b) {
        long bitmap = u64(indexBlock(), INDEX_ENTRIES_OFFSET + INDEX_ENTRY_SIZE * (int) (b / ENTRIES_PER_BITMAP));
        int k = (int) (b % ENTRIES_PER_BITMAP);
        long word = u64(bitmap, SM_BITMAP_HEADER_SIZE + 8 * (k / 32));
        int e = k % 32;
        return (int) ((word >>> (2 * e)) & 1) << 1 | (int) ((word >>> (2 * e + 1)) & 1);
    }

    /** Sets the space map's entry of {@code b}, keeping nr_free and nr_allocated consistent, all checksums fixed. */
    void smSet(long b, int v) {
        int old = smEntry(b);
        long index = indexBlock();
        int entryOff = INDEX_ENTRIES_OFFSET + INDEX_ENTRY_SIZE * (int) (b / ENTRIES_PER_BITMAP);
        long bitmap = u64(index, entryOff);
        int k = (int) (b % ENTRIES_PER_BITMAP);
        int off = SM_BITMAP_HEADER_SIZE + 8 * (k / 32);
        int e = k % 32;
        long word = u64(bitmap, off);
        word &= ~(3L << (2 * e));
        word |= (long) (v >> 1) << (2 * e) | (long) (v & 1) << (2 * e + 1);
        put64(bitmap, off, word);
        fix(bitmap, BlockType.SM_BITMAP);
        if ((old == 0) != (v == 0)) {
            long delta = v == 0 ? 1 : -1;
            put32(index, entryOff + 8, u32(index, entryOff + 8) + delta);
            long noneFree = u32(index, entryOff + 12);
            if (v == 0 && k < noneFree) {
                put32(index, entryOff + 12, k);
            }
            if (v != 0 && k == noneFree) {
                int next = k + 1;
                while (next < ENTRIES_PER_BITMAP && next < nrBlocks() && smEntry(b - k + next) != 0) {
                    next++;
                }
                put32(index, entryOff + 12, next);
            }
            fix(index, BlockType.SM_INDEX);
            put64(0, SB_SM_ROOT + SMR_NR_ALLOCATED, u64(0, SB_SM_ROOT + SMR_NR_ALLOCATED) - delta);
            fix(0, BlockType.ERA_SUPERBLOCK);
        }
    }

    long firstFree() {
        for (long b = 1; b < nrBlocks(); b++) {
            if (smEntry(b) == 0) {
                return b;
            }
        }
        throw new AssertionError("no free block");
    }

    /**
     * Takes a metadata snapshot as take_metadata_snap leaves it after its commit: a copy of block 0 at a free
     * block, the writeset tree and era array roots at count 2, the live superblock naming the clone.
     * Returns the clone's location.
     */
    long takeSnapshot() {
        long x = firstFree();
        byte[] clone = block(0);
        Le.put64(clone, SB_BLOCKNR, x);
        Le.put64(clone, SB_METADATA_SNAP, 0);
        put(x, clone);
        fix(x, BlockType.ERA_SUPERBLOCK);
        smSet(x, 1);
        smSet(u64(0, SB_WRITESET_TREE_ROOT), smEntry(u64(0, SB_WRITESET_TREE_ROOT)) + 1);
        smSet(u64(0, SB_ERA_ARRAY_ROOT), smEntry(u64(0, SB_ERA_ARRAY_ROOT)) + 1);
        put64(0, SB_METADATA_SNAP, x);
        fix(0, BlockType.ERA_SUPERBLOCK);
        return x;
    }

    /**
     * Makes the image look like a crash image: a copy of the first archived writeset's bitset (an index leaf
     * and one array block, so nr_bits <= 32576) becomes the superblock's current writeset of current_era.
     */
    void copyFirstWritesetAsCurrent() {
        long wsRoot = u64(0, SB_WRITESET_TREE_ROOT);
        long max = u32(wsRoot, NODE_MAX_ENTRIES);
        long nrBits = u32(wsRoot, NODE_HEADER_SIZE + 8 * (int) max);
        long bitset = u64(wsRoot, NODE_HEADER_SIZE + 8 * (int) max + 4);
        long leaf = firstFree();
        smSet(leaf, 1);
        long ab = firstFree();
        smSet(ab, 1);
        long leafMax = u32(bitset, NODE_MAX_ENTRIES);
        put(ab, block(u64(bitset, NODE_HEADER_SIZE + 8 * (int) leafMax)));
        put64(ab, AB_BLOCKNR, ab);
        fix(ab, BlockType.ARRAY_BLOCK);
        put(leaf, block(bitset));
        put64(leaf, NODE_BLOCKNR, leaf);
        put64(leaf, NODE_HEADER_SIZE + 8 * (int) leafMax, ab);
        fix(leaf, BlockType.BTREE_NODE);
        put32(0, SB_CURRENT_WS_NR_BITS, nrBits);
        put64(0, SB_CURRENT_WS_ROOT, leaf);
        fix(0, BlockType.ERA_SUPERBLOCK);
    }

    /**
     * Sets one era-array value on the live side only, copying on write as the kernel does after a snapshot
     * shares the array: the (single-leaf) index and the changed array block get new copies; every other array
     * block is now referenced by both index leaves (count 2), the old leaf only by the clone (count 1).
     */
    void cowEraArrayValue(long originBlock, long era) {
        long oldLeaf = u64(0, SB_ERA_ARRAY_ROOT);
        if (u32(oldLeaf, NODE_FLAGS) != LEAF_NODE) {
            throw new IllegalArgumentException("era array index is not a single leaf");
        }
        int maxEntries = arrayMaxEntries(ERA_VALUE_SIZE);
        int target = (int) (originBlock / maxEntries);
        long leafMax = u32(oldLeaf, NODE_MAX_ENTRIES);
        long nr = u32(oldLeaf, NODE_NR_ENTRIES);
        int valuesOff = NODE_HEADER_SIZE + 8 * (int) leafMax;
        long newLeaf = firstFree();
        smSet(newLeaf, 1);
        long newAb = firstFree();
        smSet(newAb, 1);
        long oldAb = u64(oldLeaf, valuesOff + 8 * target);
        put(newAb, block(oldAb));
        put64(newAb, AB_BLOCKNR, newAb);
        put32(newAb, AB_HEADER_SIZE + 4 * (int) (originBlock % maxEntries), era);
        fix(newAb, BlockType.ARRAY_BLOCK);
        put(newLeaf, block(oldLeaf));
        put64(newLeaf, NODE_BLOCKNR, newLeaf);
        put64(newLeaf, valuesOff + 8 * target, newAb);
        fix(newLeaf, BlockType.BTREE_NODE);
        for (int i = 0; i < nr; i++) {
            if (i != target) {
                long ab = u64(oldLeaf, valuesOff + 8 * i);
                smSet(ab, smEntry(ab) + 1);
            }
        }
        smSet(oldLeaf, smEntry(oldLeaf) - 1);
        put64(0, SB_ERA_ARRAY_ROOT, newLeaf);
        fix(0, BlockType.ERA_SUPERBLOCK);
    }
}
