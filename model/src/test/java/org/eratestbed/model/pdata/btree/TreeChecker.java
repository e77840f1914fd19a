package org.eratestbed.model.pdata.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Checks a single-level tree's shape the way a careful reader would: every node validates (it is read
 * through the node validator), keys ascend strictly, each child's keys lie between its parent key and the
 * next, all leaves are at one depth, internal nodes are 252-entry le64 nodes, leaves have the value type's
 * max_entries, no node but the root is under a third full; and its contents equal the reference map.
 */
public final class TreeChecker {
    private TreeChecker() {
    }

    public static void check(BTreeInfo info, long root, SortedMap<Long, byte[]> expected) {
        Set<Integer> leafDepths = new HashSet<>();
        checkNode(info, root, 0, Long.MIN_VALUE, false, Long.MIN_VALUE, false, leafDepths);
        assertTrue(leafDepths.size() <= 1, "leaves at several depths: " + leafDepths);

        List<Long> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        BTree.walk(info, root, (key, data, offset) -> {
            keys.add(key);
            values.add(java.util.Arrays.copyOfRange(data, offset, offset + info.valueType().size()));
        });
        assertEquals(new ArrayList<>(expected.keySet()), keys, "walk keys");
        int i = 0;
        for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), values.get(i++), "value of key " + e.getKey());
        }

        long[] lowest = BTree.findLowestKey(info, root);
        long[] highest = BTree.findHighestKey(info, root);
        if (expected.isEmpty()) {
            assertEquals(0, lowest.length);
            assertEquals(0, highest.length);
        } else {
            assertArrayEquals(new long[] {expected.firstKey()}, lowest, "lowest key");
            assertArrayEquals(new long[] {expected.lastKey()}, highest, "highest key");
        }
    }

    private static void checkNode(BTreeInfo info, long block, int depth, long lo, boolean hasLo, long hi,
                                  boolean hasHi, Set<Integer> leafDepths) {
        List<long[]> children = new ArrayList<>();
        org.eratestbed.model.pdata.block.Block b = info.tm().readLock(block, NodeValidator.INSTANCE);
        try {
            BTreeNode n = new BTreeNode(b);
            int nr = n.nrEntries();
            if (n.isInternal()) {
                assertEquals(BTreeNode.INTERNAL_NODE, n.flags(), "internal flags at " + block);
                assertEquals(252, n.maxEntries(), "internal max_entries at " + block);
                assertEquals(8, n.valueSize(), "internal value_size at " + block);
            } else {
                assertEquals(BTreeNode.LEAF_NODE, n.flags(), "leaf flags at " + block);
                assertEquals(BTreeNode.calcMaxEntries(info.valueType().size(), 4096), n.maxEntries());
                assertEquals(info.valueType().size(), n.valueSize());
                leafDepths.add(depth);
            }
            if (depth > 0) {
                assertTrue(nr >= n.maxEntries() / 3, "node " + block + " has " + nr + " < max/3 entries");
            } else if (n.isInternal()) {
                assertTrue(nr >= 2, "internal root with " + nr + " entries");
            }
            for (int i = 0; i < nr; i++) {
                long k = n.key(i);
                if (i > 0) {
                    assertTrue(Long.compareUnsigned(n.key(i - 1), k) < 0, "keys not ascending at " + block);
                }
                if (hasLo) {
                    assertTrue(Long.compareUnsigned(k, lo) >= 0, "key below parent bound at " + block);
                }
                if (hasHi) {
                    assertTrue(Long.compareUnsigned(k, hi) < 0, "key above next parent key at " + block);
                }
                if (n.isInternal()) {
                    children.add(new long[] {n.value64(i), k, i + 1 < nr ? n.key(i + 1) : 0, i + 1 < nr ? 1 : 0});
                }
            }
        } finally {
            info.tm().unlock(b);
        }
        for (long[] c : children) {
            boolean childHasHi = c[3] == 1 || hasHi;
            long childHi = c[3] == 1 ? c[2] : hi;
            checkNode(info, c[0], depth + 1, c[1], true, childHi, childHasHi, leafDepths);
        }
    }

    /** Depth of the tree: 1 for a single leaf. */
    public static int height(BTreeInfo info, long root) {
        int[] max = {0};
        BTree.visitNodes(info, root, (loc, n, d) -> max[0] = Math.max(max[0], d + 1));
        return max[0];
    }
}
