package org.eratestbed.model.era.tools.disk;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import java.util.BitSet;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;

/**
 * Walks a dm-btree in key order, checking every node as the kernel's node_check does (blocknr, checksum,
 * {@code 32 + (8 + value_size) * max_entries <= 4096}, nr_entries <= max_entries, flags) plus
 * thin-provisioning-tools' shape rules (max_entries % 3 == 0, non-root nodes at least a third full), key
 * order and bounds, one depth for all leaves, and the value size the tree needs.
 *
 * <p>Internal keys are checked as lower bounds of their child (child keys in {@code [key[i], key[i+1])}), not
 * for equality with the child's lowest key: dm-btree-remove's rebalance rewrites only the right sibling's
 * separator, so the kernel leaves stale, lower keys behind after removals (the digest removes the lowest era).
 *
 * <p>A node met twice in one walk is a cycle or an illegal share and is not descended again, so every walk
 * ends after at most {@link MetadataReader#limit()} nodes; depth is capped too.
 */
public final class BtreeWalker {
    /** Receives each problem; a strict sink throws it (readers), a lenient one records it (check). */
    public interface ProblemSink {
        /**
         * @param fatal the node or value cannot be used; non-fatal problems (shape rules the kernel does not
         *              enforce) let the walk use the node anyway
         */
        void problem(MetadataException e, boolean fatal);
    }

    /** Visits one leaf entry. {@code counting} is true when this leaf's pointers are to be counted. */
    public interface ValueVisitor {
        void value(long key, byte[] leaf, int valueOffset, long leafBlock, boolean counting);
    }

    private final MetadataReader reader;
    private final ProblemSink sink;
    private final RefCounts refs;

    // per walk
    private BitSet visited;
    private int leafDepth;
    private String tree;
    private int leafValueSize;
    private ValueVisitor visitor;

    /** @param refs where to count pointers, or null when only reading */
    public BtreeWalker(MetadataReader reader, ProblemSink sink, RefCounts refs) {
        this.reader = reader;
        this.sink = sink;
        this.refs = refs;
    }

    /** Walks the tree at {@code root} (the pointer to the root is counted by the caller). */
    public void walk(long root, String treeName, int valueSize, ValueVisitor v) {
        visited = new BitSet();
        leafDepth = -1;
        tree = treeName;
        leafValueSize = valueSize;
        visitor = v;
        descend(root, 0, -1, true, 0);
    }

    private MetadataException err(Errno errno, long block, String msg) {
        return new MetadataException(errno, "block " + block + ": " + tree + " node: " + msg);
    }

    /** Keys of this node must lie in [lo, hi); hi == -1 means no upper bound (keys are unsigned). */
    private void descend(long block, long lo, long hi, boolean isRoot, int depth) {
        if (depth >= MAX_BTREE_DEPTH) {
            sink.problem(err(Errno.EILSEQ, block, "tree deeper than " + MAX_BTREE_DEPTH + " levels"), true);
            return;
        }
        byte[] node;
        try {
            node = reader.checked(block, BlockType.BTREE_NODE, tree + " node");
        } catch (MetadataException e) {
            sink.problem(e, true);
            return;
        }
        if (visited.get((int) block)) {
            sink.problem(err(Errno.EILSEQ, block, "reached twice in one tree (a cycle, or a node shared inside the tree)"), true);
            return;
        }
        visited.set((int) block);

        long flags = Le.u32(node, NODE_FLAGS);
        long nr = Le.u32(node, NODE_NR_ENTRIES);
        long max = Le.u32(node, NODE_MAX_ENTRIES);
        long vs = Le.u32(node, NODE_VALUE_SIZE);
        if (flags != INTERNAL_NODE && flags != LEAF_NODE) {
            sink.problem(err(Errno.EILSEQ, block, "flags " + flags + ", expected 1 (internal) or 2 (leaf)"), true);
            return;
        }
        boolean internal = flags == INTERNAL_NODE;
        if (NODE_HEADER_SIZE + (8 + vs) * max > BLOCK_SIZE) {
            sink.problem(err(Errno.EILSEQ, block, "max_entries " + max + " with value_size " + vs
                    + " does not fit a block (32 + (8 + value_size) * max_entries > 4096)"), true);
            return;
        }
        if (nr > max) {
            sink.problem(err(Errno.EILSEQ, block, "nr_entries " + nr + " exceeds max_entries " + max), true);
            return;
        }
        int expectedVs = internal ? 8 : leafValueSize;
        if (vs != expectedVs) {
            sink.problem(err(Errno.EILSEQ, block, (internal ? "internal" : "leaf") + " value_size " + vs
                    + ", expected " + expectedVs), true);
            return;
        }
        if (max % 3 != 0) {
            sink.problem(err(Errno.EILSEQ, block, "max_entries " + max + " is not a multiple of 3"), false);
        }
        if (!isRoot && nr < max / 3) {
            sink.problem(err(Errno.EILSEQ, block, "non-root node has " + nr + " entries, fewer than max_entries / 3 = "
                    + max / 3), false);
        }
        if (internal && nr == 0) {
            sink.problem(err(Errno.EILSEQ, block, "internal node with no entries"), true);
            return;
        }
        int n = (int) nr;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Le.u64(node, NODE_HEADER_SIZE + 8 * i);
        }
        for (int i = 0; i < n; i++) {
            if (i > 0 && Long.compareUnsigned(keys[i], keys[i - 1]) <= 0) {
                sink.problem(err(Errno.EILSEQ, block, "keys out of order: key[" + i + "] = " + Le.u64String(keys[i])
                        + " after key[" + (i - 1) + "] = " + Le.u64String(keys[i - 1])), true);
                return;
            }
            if (Long.compareUnsigned(keys[i], lo) < 0 || (hi != -1 && Long.compareUnsigned(keys[i], hi) >= 0)) {
                sink.problem(err(Errno.EILSEQ, block, "key[" + i + "] = " + Le.u64String(keys[i]) + " outside the range ["
                        + Le.u64String(lo) + ", " + (hi == -1 ? "max" : Le.u64String(hi)) + ") its parent gives it"), true);
                return;
            }
        }
        int valuesOffset = NODE_HEADER_SIZE + 8 * (int) max;
        boolean counting = refs != null && refs.claim(block);
        if (!internal) {
            if (leafDepth == -1) {
                leafDepth = depth;
            } else if (leafDepth != depth) {
                sink.problem(err(Errno.EILSEQ, block, "leaf at depth " + depth + ", other leaves at depth " + leafDepth), true);
                return;
            }
            for (int i = 0; i < n; i++) {
                visitor.value(keys[i], node, valuesOffset + (int) vs * i, block, counting);
            }
            return;
        }
        long[] children = new long[n];
        for (int i = 0; i < n; i++) {
            children[i] = Le.u64(node, valuesOffset + 8 * i);
            if (counting) {
                refs.add(children[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            descend(children[i], keys[i], i + 1 < n ? keys[i + 1] : hi, false, depth + 1);
        }
    }
}
