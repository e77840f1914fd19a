package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * dm-btree-remove.c. On the way down to the key, every child about to be entered is first topped up from
 * its siblings (rebalance_children), so no node other than the root falls below max_entries / 3: two
 * siblings are merged when together they are small, three are reduced to two or evened out. The node
 * holding the key then just loses the slot; the bytes left past nr_entries are not cleared.
 *
 * <p>Ported from the current kernel, including Hou Tao's 2019 threshold of {@code 2 * (max / 3 + 1)} for
 * merging two nodes and the errnos that replaced most BUG_ONs in 2022.
 */
final class BTreeRemove {
    private BTreeRemove() {
    }

    /** node_shift: move all entries up (positive) or drop the first -shift entries (negative). */
    private static void nodeShift(BTreeNode n, int shift) {
        int nr = n.nrEntries();
        int valueSize = n.valueSize();
        byte[] d = n.data();
        if (shift < 0) {
            shift = -shift;
            Bug.on(shift > nr, "node_shift past nr_entries");
            System.arraycopy(d, BTreeNode.keyOffset(shift), d, BTreeNode.keyOffset(0), (nr - shift) * 8);
            System.arraycopy(d, n.valueOffset(shift), d, n.valueOffset(0), (nr - shift) * valueSize);
        } else {
            Bug.on(nr + shift > n.maxEntries(), "node_shift past max_entries");
            System.arraycopy(d, BTreeNode.keyOffset(0), d, BTreeNode.keyOffset(shift), nr * 8);
            System.arraycopy(d, n.valueOffset(0), d, n.valueOffset(shift), nr * valueSize);
        }
    }

    /**
     * node_copy: negative shift appends right's first -shift entries to left; positive copies left's last
     * shift entries to the start of right. Counts are not updated here.
     */
    private static void nodeCopy(BTreeNode left, BTreeNode right, int shift) {
        int nrLeft = left.nrEntries();
        int valueSize = left.valueSize();
        if (valueSize != right.valueSize()) {
            throw new MetadataException(Errno.EILSEQ, "mismatched value size");
        }
        if (shift < 0) {
            shift = -shift;
            if (nrLeft + shift > left.maxEntries()) {
                throw new MetadataException(Errno.EINVAL, "bad shift");
            }
            System.arraycopy(right.data(), BTreeNode.keyOffset(0), left.data(), BTreeNode.keyOffset(nrLeft),
                    shift * 8);
            System.arraycopy(right.data(), right.valueOffset(0), left.data(), left.valueOffset(nrLeft),
                    shift * valueSize);
        } else {
            if (shift > right.maxEntries()) {
                throw new MetadataException(Errno.EINVAL, "bad shift");
            }
            System.arraycopy(left.data(), BTreeNode.keyOffset(nrLeft - shift), right.data(),
                    BTreeNode.keyOffset(0), shift * 8);
            System.arraycopy(left.data(), left.valueOffset(nrLeft - shift), right.data(), right.valueOffset(0),
                    shift * valueSize);
        }
    }

    /** delete_at: close the gap; the last slot keeps its old bytes. */
    static void deleteAt(BTreeNode n, int index) {
        int nr = n.nrEntries();
        Bug.on(Integer.compareUnsigned(index, nr) >= 0, "delete_at past nr_entries");
        int nrToCopy = nr - (index + 1);
        int valueSize = n.valueSize();
        if (nrToCopy != 0) {
            byte[] d = n.data();
            System.arraycopy(d, BTreeNode.keyOffset(index + 1), d, BTreeNode.keyOffset(index), nrToCopy * 8);
            System.arraycopy(d, n.valueOffset(index + 1), d, n.valueOffset(index), nrToCopy * valueSize);
        }
        n.setNrEntries(nr - 1);
    }

    private static int mergeThreshold(BTreeNode n) {
        return n.maxEntries() / 3;
    }

    /** struct child: a shadowed child of the current node. */
    private static final class Child {
        int index;
        Block block;
        BTreeNode n;
    }

    private static Child initChild(BTreeInfo info, ValueType vt, BTreeNode parent, int index) {
        Child c = new Child();
        c.index = index;
        c.block = BTree.shadowChild(info, vt, parent, index);
        c.n = new BTreeNode(c.block);
        return c;
    }

    private static void exitChild(BTreeInfo info, Child c) {
        if (c != null) {
            info.tm().unlock(c.block);
        }
    }

    /** shift: move count entries from left to right (negative: right to left), with the kernel's checks. */
    private static void shift(BTreeNode left, BTreeNode right, int count) {
        int nrLeft = left.nrEntries();
        int nrRight = right.nrEntries();
        int max = left.maxEntries();
        if (max != right.maxEntries()) {
            throw new MetadataException(Errno.EILSEQ, "node max_entries mismatch");
        }
        // uint32_t arithmetic, as in the kernel: a negative result wraps and fails the check.
        if (Integer.compareUnsigned(nrLeft - count, max) > 0) {
            throw new MetadataException(Errno.EINVAL, "node shift out of bounds");
        }
        if (Integer.compareUnsigned(nrRight + count, max) > 0) {
            throw new MetadataException(Errno.EINVAL, "node shift out of bounds");
        }
        if (count == 0) {
            return;
        }
        if (count > 0) {
            nodeShift(right, count);
            nodeCopy(left, right, count);
        } else {
            nodeCopy(left, right, count);
            nodeShift(right, count);
        }
        left.setNrEntries(nrLeft - count);
        right.setNrEntries(nrRight + count);
    }

    private static void rebalance2Nodes(BTreeInfo info, BTreeNode parent, Child l, Child r) {
        BTreeNode left = l.n;
        BTreeNode right = r.n;
        int nrLeft = left.nrEntries();
        int nrRight = right.nrEntries();
        // Each child ends with at least max / 3 + 1 entries, so whichever is entered next stays legal.
        int threshold = 2 * (mergeThreshold(left) + 1);
        if (nrLeft + nrRight < threshold) {
            // merge right into left
            nodeCopy(left, right, -nrRight);
            left.setNrEntries(nrLeft + nrRight);
            deleteAt(parent, r.index);
            // the right block goes, but not its children: left references them now
            info.tm().dec(r.block.location());
        } else {
            int targetLeft = (nrLeft + nrRight) / 2;
            shift(left, right, nrLeft - targetLeft);
            parent.setKey(r.index, right.key(0));
        }
    }

    private static void rebalance2(ShadowSpine s, BTreeInfo info, ValueType vt, int leftIndex) {
        BTreeNode parent = new BTreeNode(s.current());
        Child left = initChild(info, vt, parent, leftIndex);
        Child right = null;
        try {
            right = initChild(info, vt, parent, leftIndex + 1);
            rebalance2Nodes(info, parent, left, right);
        } finally {
            exitChild(info, left);
            exitChild(info, right);
        }
    }

    /** delete_center_node: empty the centre into left, the rest into right, drop it, then rebalance2. */
    private static void deleteCenterNode(BTreeInfo info, BTreeNode parent, Child l, Child c, Child r,
                                         BTreeNode left, BTreeNode center, BTreeNode right,
                                         int nrLeft, int nrCenter, int nrRight) {
        int max = left.maxEntries();
        int shift = Math.min(max - nrLeft, nrCenter);
        if (nrLeft + shift > max) {
            throw new MetadataException(Errno.EINVAL, "node shift out of bounds");
        }
        nodeCopy(left, center, -shift);
        left.setNrEntries(nrLeft + shift);
        if (shift != nrCenter) {
            shift = nrCenter - shift;
            if (nrRight + shift > max) {
                throw new MetadataException(Errno.EINVAL, "node shift out of bounds");
            }
            nodeShift(right, shift);
            nodeCopy(center, right, shift);
            right.setNrEntries(nrRight + shift);
        }
        parent.setKey(r.index, right.key(0));
        deleteAt(parent, c.index);
        r.index--;
        info.tm().dec(c.block.location());
        rebalance2Nodes(info, parent, l, r);
    }

    /** redistribute3 (remove's version): even out three siblings, the left one taking any remainder. */
    private static void redistribute3(BTreeNode parent, Child l, Child c, Child r,
                                      BTreeNode left, BTreeNode center, BTreeNode right,
                                      int nrLeft, int nrCenter, int nrRight) {
        int max = left.maxEntries();
        int total = nrLeft + nrCenter + nrRight;
        int targetRight = total / 3;
        int remainder = (targetRight * 3) != total ? 1 : 0;
        int targetLeft = targetRight + remainder;
        Bug.on(targetLeft > max, "redistribute3 target_left > max_entries");
        Bug.on(targetRight > max, "redistribute3 target_right > max_entries");

        if (nrLeft < nrRight) {
            int s = nrLeft - targetLeft;
            if (s < 0 && nrCenter < -s) {
                // not enough in the centre
                shift(left, center, -nrCenter);
                s += nrCenter;
                shift(left, right, s);
                nrRight += s;
            } else {
                shift(left, center, s);
            }
            shift(center, right, targetRight - nrRight);
        } else {
            int s = targetRight - nrRight;
            if (s > 0 && nrCenter < s) {
                // not enough in the centre
                shift(center, right, nrCenter);
                s -= nrCenter;
                shift(left, right, s);
                nrLeft -= s;
            } else {
                shift(center, right, s);
            }
            shift(left, center, nrLeft - targetLeft);
        }
        parent.setKey(c.index, center.key(0));
        parent.setKey(r.index, right.key(0));
    }

    private static void rebalance3Nodes(BTreeInfo info, BTreeNode parent, Child l, Child c, Child r) {
        BTreeNode left = l.n;
        BTreeNode center = c.n;
        BTreeNode right = r.n;
        int nrLeft = left.nrEntries();
        int nrCenter = center.nrEntries();
        int nrRight = right.nrEntries();
        int threshold = mergeThreshold(left) * 4 + 1;
        if (left.maxEntries() != center.maxEntries() || center.maxEntries() != right.maxEntries()) {
            throw new MetadataException(Errno.EILSEQ, "bad btree metadata, max_entries differ");
        }
        if (nrLeft + nrCenter + nrRight < threshold) {
            deleteCenterNode(info, parent, l, c, r, left, center, right, nrLeft, nrCenter, nrRight);
        } else {
            redistribute3(parent, l, c, r, left, center, right, nrLeft, nrCenter, nrRight);
        }
    }

    private static void rebalance3(ShadowSpine s, BTreeInfo info, ValueType vt, int leftIndex) {
        BTreeNode parent = new BTreeNode(s.current());
        Child left = initChild(info, vt, parent, leftIndex);
        Child center = null;
        Child right = null;
        try {
            center = initChild(info, vt, parent, leftIndex + 1);
            right = initChild(info, vt, parent, leftIndex + 2);
            rebalance3Nodes(info, parent, left, center, right);
        } finally {
            exitChild(info, left);
            exitChild(info, center);
            exitChild(info, right);
        }
    }

    /**
     * rebalance_children: before stepping into the child that holds {@code key}, top it up from its
     * siblings. An internal node with a single child absorbs it (the tree loses a level).
     */
    private static void rebalanceChildren(ShadowSpine s, BTreeInfo info, ValueType vt, long key) {
        TransactionManager tm = info.tm();
        BTreeNode n = new BTreeNode(s.current());
        if (n.nrEntries() == 1) {
            long b = n.value64(0);
            Block child = tm.readLock(b, NodeValidator.INSTANCE);
            try {
                n.copyFrom(new BTreeNode(child));
                tm.dec(child.location());
            } finally {
                tm.unlock(child);
            }
            return;
        }
        int i = n.lowerBound(key);
        if (i < 0) {
            throw new MetadataException(Errno.ENODATA, "no such key");
        }
        boolean hasLeftSibling = i > 0;
        boolean hasRightSibling = i < n.nrEntries() - 1;
        if (!hasLeftSibling) {
            rebalance2(s, info, vt, i);
        } else if (!hasRightSibling) {
            rebalance2(s, info, vt, i - 1);
        } else {
            rebalance3(s, info, vt, i - 1);
        }
    }

    private static int doLeaf(BTreeNode n, long key) {
        int i = n.lowerBound(key);
        if (i < 0 || i >= n.nrEntries() || n.key(i) != key) {
            throw new MetadataException(Errno.ENODATA, "no such key");
        }
        return i;
    }

    /** remove_raw: shadow and rebalance down one level's tree; returns the key's index in the leaf. */
    private static int removeRaw(ShadowSpine s, BTreeInfo info, ValueType vt, long root, long key, int index) {
        int i = index;
        for (;;) {
            s.step(root, vt);
            if (s.hasParent()) {
                new BTreeNode(s.parent()).setValuePtr64(i, s.current().location());
            }
            BTreeNode n = new BTreeNode(s.current());
            if (n.isLeaf()) {
                return doLeaf(n, key);
            }
            rebalanceChildren(s, info, vt, key);
            n = new BTreeNode(s.current());
            if (n.isLeaf()) {
                return doLeaf(n, key);
            }
            i = n.lowerBound(key);
            // rebalance_children has already returned ENODATA if the key is below this node
            root = n.value64(i);
        }
    }

    static long remove(BTreeInfo info, long root, long[] keys) {
        int lastLevel = info.levels() - 1;
        ValueType le64Vt = ValueType.le64(info.tm());
        ShadowSpine spine = new ShadowSpine(info);
        int index = 0;
        try {
            for (int level = 0; level < info.levels(); level++) {
                boolean last = level == lastLevel;
                index = removeRaw(spine, info, last ? info.valueType() : le64Vt, root, keys[level], index);
                BTreeNode n = new BTreeNode(spine.current());
                if (!last) {
                    root = n.value64(index);
                    continue;
                }
                Bug.on(index < 0 || index >= n.nrEntries(), "remove index out of range");
                if (info.valueType().hasDec()) {
                    info.valueType().dec().apply(n.data(), n.valueOffset(index), 1);
                }
                deleteAt(n, index);
            }
            return spine.root();
        } finally {
            spine.exit();
        }
    }
}
