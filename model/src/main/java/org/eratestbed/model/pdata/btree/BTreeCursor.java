package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;

/**
 * struct dm_btree_cursor: an in-order walk over the leaf entries of a single-level tree that keeps the path
 * from the root read-locked (one lock per level), so stepping to the next entry costs no lookups. Used by
 * {@link org.eratestbed.model.pdata.array.ArrayCursor}.
 *
 * <p>Where the kernel returns -ENODATA for "no more entries", {@link #next} and {@link #skip} return false.
 * Unlike dm_btree_cursor_begin, {@link #begin} releases its locks when it fails (the kernel leaves the root
 * locked on an empty tree and dm_array_cursor_begin does not unlock it).
 */
public final class BTreeCursor implements AutoCloseable {
    /** DM_BTREE_CURSOR_MAX_DEPTH. */
    public static final int MAX_DEPTH = 16;

    private final BTreeInfo info;
    private final Block[] blocks = new Block[MAX_DEPTH];
    private final int[] indexes = new int[MAX_DEPTH];
    private int depth;

    private BTreeCursor(BTreeInfo info) {
        this.info = info;
    }

    /**
     * dm_btree_cursor_begin: positioned on the first leaf entry. ENODATA if the first leaf reached is empty.
     * {@code prefetchLeaves} is accepted for the kernel's signature; the model does no prefetching.
     */
    public static BTreeCursor begin(BTreeInfo info, long root, boolean prefetchLeaves) {
        BTreeCursor c = new BTreeCursor(info);
        try {
            c.pushNode(root);
            c.findLeaf();
            return c;
        } catch (MetadataException e) {
            c.end();
            throw e;
        }
    }

    private BTreeNode top() {
        return new BTreeNode(blocks[depth - 1]);
    }

    private void pushNode(long b) {
        if (depth >= MAX_DEPTH - 1) {
            throw new MetadataException(Errno.EINVAL, "couldn't push cursor node, stack depth too high");
        }
        blocks[depth] = info.tm().readLock(b, NodeValidator.INSTANCE);
        indexes[depth] = 0;
        depth++;
    }

    private void popNode() {
        depth--;
        info.tm().unlock(blocks[depth]);
        blocks[depth] = null;
    }

    /** inc_or_backtrack: false (the kernel's -ENODATA) when the walk is past the last entry. */
    private boolean incOrBacktrack() {
        for (;;) {
            if (depth == 0) {
                return false;
            }
            indexes[depth - 1]++;
            if (indexes[depth - 1] < top().nrEntries()) {
                return true;
            }
            popNode();
        }
    }

    /** find_leaf: descend through the current index of each internal node to a leaf. */
    private void findLeaf() {
        BTreeNode n;
        for (;;) {
            n = top();
            if (n.isLeaf()) {
                break;
            }
            pushNode(n.value64(indexes[depth - 1]));
        }
        if (n.nrEntries() == 0) {
            throw new MetadataException(Errno.ENODATA, "empty leaf");
        }
    }

    /** dm_btree_cursor_end: release every lock. */
    public void end() {
        while (depth > 0) {
            popNode();
        }
    }

    @Override
    public void close() {
        end();
    }

    /** dm_btree_cursor_next: false at the end (the cursor is then empty). */
    public boolean next() {
        if (!incOrBacktrack()) {
            return false;
        }
        findLeaf();
        return true;
    }

    /** dm_btree_cursor_skip: {@code count} times next; false if the entries ran out. */
    public boolean skip(int count) {
        while (count-- > 0) {
            if (!next()) {
                return false;
            }
        }
        return true;
    }

    /** The current key (dm_btree_cursor_get_value); ENODATA on an ended cursor. */
    public long key() {
        checkLeaf();
        return top().key(indexes[depth - 1]);
    }

    /** A copy of the current value (dm_btree_cursor_get_value). */
    public byte[] value() {
        checkLeaf();
        BTreeNode n = top();
        byte[] v = new byte[info.valueType().size()];
        System.arraycopy(n.data(), n.valueOffset(indexes[depth - 1]), v, 0, v.length);
        return v;
    }

    private void checkLeaf() {
        if (depth == 0) {
            throw new MetadataException(Errno.ENODATA, "cursor ended");
        }
        if (top().isInternal()) {
            throw new MetadataException(Errno.EINVAL, "cursor on an internal node");
        }
    }
}
