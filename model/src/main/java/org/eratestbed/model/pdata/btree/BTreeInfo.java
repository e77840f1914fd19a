package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * struct dm_btree_info: the transaction manager the tree lives in, the number of levels (a key is one u64
 * per level; dm-era's trees have one level, thin's mapping tree two) and the value type of the bottom level.
 */
public record BTreeInfo(TransactionManager tm, int levels, ValueType valueType) {
    public BTreeInfo {
        if (tm == null || valueType == null) {
            throw new IllegalArgumentException("tm and value type are required");
        }
        if (levels < 1) {
            throw new IllegalArgumentException("a btree has at least one level: " + levels);
        }
    }

    /** A single-level tree, the only kind dm-era uses. */
    public static BTreeInfo singleLevel(TransactionManager tm, ValueType valueType) {
        return new BTreeInfo(tm, 1, valueType);
    }
}
