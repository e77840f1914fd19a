package org.eratestbed.model.pdata.sm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeInfo;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * The space map's ref-count btree (ll->ref_count_info): a one-level dm-btree from block number to le32
 * count, holding every count above 2 (the block's bitmap entry then says 3). Its value type has no
 * callbacks, as in the kernel: counts refer to nothing.
 */
final class RefCountTree {
    static final int VALUE_SIZE = 4;

    private final BTreeInfo info;

    RefCountTree(TransactionManager tm) {
        this.info = BTreeInfo.singleLevel(tm, ValueType.plain(VALUE_SIZE));
    }

    /** dm_btree_empty: a new tree (one empty leaf, max_entries 336); returns its root. */
    long empty() {
        return BTree.empty(info);
    }

    /** sm_ll_lookup_big_ref_count: dm_btree_lookup; ENODATA if the block is not in the tree. */
    long lookup(long root, long b) {
        byte[] v = BTree.lookup(info, root, b);
        return Integer.toUnsignedLong(ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
    }

    /** dm_btree_insert of {@code count}; returns the new root. */
    long insert(long root, long b, long count) {
        byte[] v = new byte[VALUE_SIZE];
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) count);
        return BTree.insert(info, root, b, v);
    }

    /** dm_btree_remove; returns the new root. */
    long remove(long root, long b) {
        return BTree.remove(info, root, b);
    }

    /** btree_get_overwrite_leaf: shadow the path to {@code b}'s leaf, which stays write-locked for an in-place update. */
    BTree.OverwriteLeaf overwriteLeaf(long root, long b) {
        return BTree.getOverwriteLeaf(info, root, b);
    }
}
