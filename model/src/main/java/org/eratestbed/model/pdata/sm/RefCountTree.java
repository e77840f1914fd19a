package org.eratestbed.model.pdata.sm;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.ChecksummedValidator;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * The space map's ref-count btree (ll->ref_count_info): a one-level dm-btree from block number to le32
 * count, holding every count above 2 (its bitmap entry then says 3).
 *
 * <p>Until the dm-btree of branch {@code pdata-btree} is merged, only the empty tree exists:
 * {@link #writeEmptyLeafUntilBtreeIsMerged()} writes the empty root leaf a fresh format needs, and every
 * operation on a count above 2 fails with EOPNOTSUPP.
 */
final class RefCountTree {
    static final int VALUE_SIZE = 4;
    private static final int LEAF_NODE = 2;
    private static final int NODE_HEADER_SIZE = 32;
    private static final ChecksummedValidator BTREE_NODE_UNTIL_BTREE_IS_MERGED =
            new ChecksummedValidator("btree_node", BlockType.BTREE_NODE, 8);

    private final TransactionManager tm;

    RefCountTree(TransactionManager tm) {
        this.tm = tm;
    }

    /** dm_btree_empty: a new tree; returns its root. */
    long empty() {
        return writeEmptyLeafUntilBtreeIsMerged();
    }

    /**
     * dm_btree_empty's leaf, written by hand: node_header {csum, flags = LEAF, blocknr, nr_entries 0,
     * max_entries 336, value_size 4, padding 0}, the rest zero.
     */
    private long writeEmptyLeafUntilBtreeIsMerged() {
        Block b = tm.newBlock(BTREE_NODE_UNTIL_BTREE_IS_MERGED);
        int maxEntries = 3 * (((b.data().length - NODE_HEADER_SIZE) / (8 + VALUE_SIZE)) / 3);
        b.le().putInt(4, LEAF_NODE);
        b.le().putInt(16, 0);
        b.le().putInt(20, maxEntries);
        b.le().putInt(24, VALUE_SIZE);
        long root = b.location();
        tm.unlock(b);
        return root;
    }

    private static MetadataException unsupported(long b) {
        return new MetadataException(Errno.EOPNOTSUPP, "reference count of block " + b
                + " above 2 needs the ref-count btree, which is not merged yet");
    }

    /** sm_ll_lookup_big_ref_count: dm_btree_lookup (ENODATA if absent). */
    long lookup(long root, long b) {
        throw unsupported(b);
    }

    /** The count of a block the bitmap says is in the tree; a missing entry is EINVAL, as in the kernel. */
    long overflowCount(long root, long b) {
        throw unsupported(b);
    }

    /** dm_btree_insert of {@code count}; returns the new root. */
    long insert(long root, long b, long count) {
        throw unsupported(b);
    }

    /** dm_btree_remove; returns the new root. */
    long remove(long root, long b) {
        throw unsupported(b);
    }

    /** One more for a block already in the tree; returns the new root. */
    long increment(long root, long b) {
        throw unsupported(b);
    }

    /** One less for a block in the tree at a count above 3; returns the new root. */
    long decrement(long root, long b) {
        throw unsupported(b);
    }
}
