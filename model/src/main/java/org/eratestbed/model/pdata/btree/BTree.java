package org.eratestbed.model.pdata.btree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * dm-btree (persistent-data/dm-btree.c): a copy-on-write B+tree of u64 keys in 4 KiB nodes. The functions
 * are the kernel's, one for one, with the same split and rebalance policy, so a sequence of operations
 * produces the same nodes, the same stale bytes and the same allocation and reference-count traffic as
 * the kernel (the transaction manager decides the block numbers).
 *
 * <p>Roots are passed in and returned: every update may return a new root (a shadow). Errors are
 * {@link MetadataException}s with the kernel's errno; ENODATA is how lookup and remove say "no such key",
 * and after a failed update the caller keeps its old root, as a kernel caller does.
 */
public final class BTree {
    /** rebalance_or_split: a sibling needs this many free slots to be worth moving entries to. */
    static final int SPACE_THRESHOLD = 8;

    private BTree() {
    }

    // ---------------------------------------------------------------- helpers shared with remove

    /**
     * inc_children: a shared node was copied, so everything it points to gains a reference: child blocks
     * of an internal node, or the leaf's values through the value type.
     */
    static void incChildren(TransactionManager tm, BTreeNode n, ValueType vt) {
        int nr = n.nrEntries();
        if (n.isInternal()) {
            // dm_tm_with_runs + dm_tm_inc_range: the same increments, one block at a time, in order.
            ValueType.forEachLe64(n.data(), n.valueOffset(0), nr, tm::inc);
        } else if (vt.hasInc()) {
            vt.inc().apply(n.data(), n.valueOffset(0), nr);
        }
    }

    /** array_insert: open a slot at {@code index} by moving the tail up, then copy the element in. */
    private static void arrayInsert(byte[] data, int base, int eltSize, int nrElts, int index,
                                    byte[] elt, int eltOffset) {
        if (index < nrElts) {
            System.arraycopy(data, base + eltSize * index, data, base + eltSize * (index + 1),
                    (nrElts - index) * eltSize);
        }
        System.arraycopy(elt, eltOffset, data, base + eltSize * index, eltSize);
    }

    /** insert_at, with the defensive bounds check the kernel has had since 5.15 (-ENOMEM). */
    static void insertAt(int valueSize, BTreeNode node, int index, long key, byte[] value) {
        int nr = node.nrEntries();
        int max = node.maxEntries();
        if (Integer.compareUnsigned(index, nr) > 0 || Integer.compareUnsigned(index, max) >= 0
                || Integer.compareUnsigned(nr, max) >= 0) {
            throw new MetadataException(Errno.ENOMEM, "too many entries in btree node for insert");
        }
        byte[] keyLe = le64(key);
        arrayInsert(node.data(), BTreeNode.HEADER_SIZE, BTreeNode.KEY_SIZE, nr, index, keyLe, 0);
        arrayInsert(node.data(), node.valueBase(), valueSize, nr, index, value, 0);
        node.setNrEntries(nr + 1);
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v).array();
    }

    static Block newBlock(BTreeInfo info) {
        return info.tm().newBlock(NodeValidator.INSTANCE);
    }

    // ---------------------------------------------------------------- empty / del

    /** dm_btree_empty: a new tree is one empty leaf (never a 0 root). */
    public static long empty(BTreeInfo info) {
        Block b = newBlock(info);
        try {
            int blockSize = b.data().length;
            BTreeNode n = new BTreeNode(b);
            java.util.Arrays.fill(b.data(), (byte) 0);
            n.setFlags(BTreeNode.LEAF_NODE);
            n.setNrEntries(0);
            n.setMaxEntries(BTreeNode.calcMaxEntries(info.valueType().size(), blockSize));
            n.setValueSize(info.valueType().size());
            return b.location();
        } finally {
            info.tm().unlock(b);
        }
    }

    /** MAX_SPINE_DEPTH of dm_btree_del's explicit stack. */
    private static final int MAX_SPINE_DEPTH = 64;

    private static final class Frame {
        Block b;
        BTreeNode n;
        int level;
        int nrChildren;
        int currentChild;
    }

    /**
     * dm_btree_del: drops the tree's reference to every node it owns. A node with a count above one is
     * shared (a snapshot holds it): it is decremented and its children are left alone. Leaves give their
     * values to the value type's dec, then each node is decremented after its children.
     */
    public static void del(BTreeInfo info, long root) {
        TransactionManager tm = info.tm();
        Frame[] spine = new Frame[MAX_SPINE_DEPTH];
        int[] top = {-1};
        boolean ok = false;
        try {
            pushFrame(info, spine, top, root, 0);
            while (top[0] >= 0) {
                Frame f = spine[top[0]];
                if (f.currentChild >= f.nrChildren) {
                    popFrame(tm, spine, top);
                    continue;
                }
                if (f.n.isInternal()) {
                    long b = f.n.value64(f.currentChild);
                    f.currentChild++;
                    pushFrame(info, spine, top, b, f.level);
                } else if (f.level < info.levels() - 1) {
                    long b = f.n.value64(f.currentChild);
                    f.currentChild++;
                    pushFrame(info, spine, top, b, f.level + 1);
                } else {
                    if (info.valueType().hasDec()) {
                        info.valueType().dec().apply(f.n.data(), f.n.valueOffset(0), f.nrChildren);
                    }
                    popFrame(tm, spine, top);
                }
            }
            ok = true;
        } finally {
            if (!ok) {
                while (top[0] >= 0) {
                    tm.unlock(spine[top[0]--].b);
                }
            }
        }
    }

    private static void pushFrame(BTreeInfo info, Frame[] spine, int[] top, long b, int level) {
        if (top[0] >= MAX_SPINE_DEPTH - 1) {
            throw new MetadataException(Errno.ENOMEM, "btree deletion stack out of memory");
        }
        TransactionManager tm = info.tm();
        if (tm.ref(b) > 1) {
            // A shared node: drop our reference and leave the children to the other owner.
            tm.dec(b);
            return;
        }
        Frame f = new Frame();
        f.b = tm.readLock(b, NodeValidator.INSTANCE);
        f.n = new BTreeNode(f.b);
        f.level = level;
        f.nrChildren = f.n.nrEntries();
        f.currentChild = 0;
        spine[++top[0]] = f;
    }

    private static void popFrame(TransactionManager tm, Frame[] spine, int[] top) {
        Frame f = spine[top[0]--];
        tm.dec(f.b.location());
        tm.unlock(f.b);
    }

    // ---------------------------------------------------------------- lookup

    @FunctionalInterface
    private interface SearchFn {
        int search(BTreeNode n, long key);
    }

    /** btree_lookup_raw: descends by {@code searchFn}; returns the leaf index (value copied into out). */
    private static long lookupRaw(RoSpine s, long block, long key, SearchFn searchFn, byte[] out, int valueSize) {
        int i;
        BTreeNode n;
        int flags;
        do {
            s.step(block);
            n = s.node();
            i = searchFn.search(n, key);
            flags = n.flags();
            int nr = n.nrEntries();
            if (i < 0 || i >= nr) {
                throw new MetadataException(Errno.ENODATA, "no such key");
            }
            if ((flags & BTreeNode.INTERNAL_NODE) != 0) {
                block = n.value64(i);
            }
        } while ((flags & BTreeNode.LEAF_NODE) == 0);
        if (out != null) {
            System.arraycopy(n.data(), n.valueOffset(i), out, 0, valueSize);
        }
        return n.key(i);
    }

    /** dm_btree_lookup: the value stored under {@code keys} (one key per level); ENODATA if absent. */
    public static byte[] lookup(BTreeInfo info, long root, long... keys) {
        checkKeys(info, keys);
        int lastLevel = info.levels() - 1;
        RoSpine spine = new RoSpine(info);
        try {
            byte[] value = null;
            for (int level = 0; level < info.levels(); level++) {
                boolean last = level == lastLevel;
                int size = last ? info.valueType().size() : 8;
                byte[] out = new byte[size];
                long rkey = lookupRaw(spine, root, keys[level], BTreeNode::lowerBound, out, size);
                if (rkey != keys[level]) {
                    throw new MetadataException(Errno.ENODATA, "no such key");
                }
                if (last) {
                    value = out;
                } else {
                    root = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                }
            }
            return value;
        } finally {
            spine.exit();
        }
    }

    /** A key and its value, as found by {@link #lookupNext}. */
    public record Entry(long key, byte[] value) {
    }

    private static Entry lookupNextSingle(BTreeInfo info, long root, long key) {
        Block node = info.tm().readLock(root, NodeValidator.INSTANCE);
        try {
            BTreeNode n = new BTreeNode(node);
            int nr = n.nrEntries();
            if (n.isInternal()) {
                int i = n.lowerBound(key);
                if (i < 0) {
                    // every entry is above the key: the first child still holds the next key
                    i = 0;
                }
                if (i >= nr) {
                    throw new MetadataException(Errno.ENODATA, "no next key");
                }
                try {
                    return lookupNextSingle(info, n.value64(i), key);
                } catch (MetadataException e) {
                    if (e.errno() == Errno.ENODATA && i < nr - 1) {
                        return lookupNextSingle(info, n.value64(i + 1), key);
                    }
                    throw e;
                }
            }
            int i = n.upperBound(key);
            if (i < 0 || i >= nr) {
                throw new MetadataException(Errno.ENODATA, "no next key");
            }
            byte[] v = new byte[info.valueType().size()];
            System.arraycopy(n.data(), n.valueOffset(i), v, 0, v.length);
            return new Entry(n.key(i), v);
        } finally {
            info.tm().unlock(node);
        }
    }

    /** dm_btree_lookup_next: the entry with the given key or the next higher one; ENODATA if none. */
    public static Entry lookupNext(BTreeInfo info, long root, long... keys) {
        checkKeys(info, keys);
        RoSpine spine = new RoSpine(info);
        try {
            int level;
            for (level = 0; level < info.levels() - 1; level++) {
                byte[] out = new byte[8];
                long rkey = lookupRaw(spine, root, keys[level], BTreeNode::lowerBound, out, 8);
                if (rkey != keys[level]) {
                    throw new MetadataException(Errno.ENODATA, "no such key");
                }
                root = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            }
            return lookupNextSingle(info, root, keys[level]);
        } finally {
            spine.exit();
        }
    }

    // ---------------------------------------------------------------- insert: node surgery

    /** copy_entries: regions must not overlap. */
    private static void copyEntries(BTreeNode dest, int destOffset, BTreeNode src, int srcOffset, int count) {
        int valueSize = dest.valueSize();
        System.arraycopy(src.data(), BTreeNode.keyOffset(srcOffset), dest.data(), BTreeNode.keyOffset(destOffset),
                count * BTreeNode.KEY_SIZE);
        System.arraycopy(src.data(), src.valueOffset(srcOffset), dest.data(), dest.valueOffset(destOffset),
                count * valueSize);
    }

    /** move_entries: regions may overlap (System.arraycopy copies as if through a temporary, like memmove). */
    private static void moveEntries(BTreeNode dest, int destOffset, BTreeNode src, int srcOffset, int count) {
        copyEntries(dest, destOffset, src, srcOffset, count);
    }

    private static void shiftDown(BTreeNode n, int count) {
        moveEntries(n, 0, n, count, n.nrEntries() - count);
    }

    private static void shiftUp(BTreeNode n, int count) {
        moveEntries(n, count, n, 0, n.nrEntries());
    }

    /** redistribute2: even out two siblings (the left one gets the smaller half). */
    private static void redistribute2(BTreeNode left, BTreeNode right) {
        int nrLeft = left.nrEntries();
        int nrRight = right.nrEntries();
        int total = nrLeft + nrRight;
        int targetLeft = total / 2;
        int targetRight = total - targetLeft;
        if (nrLeft < targetLeft) {
            int delta = targetLeft - nrLeft;
            copyEntries(left, nrLeft, right, 0, delta);
            shiftDown(right, delta);
        } else if (nrLeft > targetLeft) {
            int delta = nrLeft - targetLeft;
            if (nrRight != 0) {
                shiftUp(right, delta);
            }
            copyEntries(right, 0, left, targetLeft, delta);
        }
        left.setNrEntries(targetLeft);
        right.setNrEntries(targetRight);
    }

    /** redistribute3: spread left and right over three nodes; the new centre starts empty. */
    private static void redistribute3(BTreeNode left, BTreeNode center, BTreeNode right) {
        int nrLeft = left.nrEntries();
        int nrCenter = center.nrEntries();
        int nrRight = right.nrEntries();
        Bug.on(nrCenter != 0, "redistribute3 with a non-empty centre");
        int total = nrLeft + nrRight;
        int targetLeft = total / 3;
        int targetCenter = (total - targetLeft) / 2;
        int targetRight = total - targetLeft - targetCenter;
        if (nrLeft < targetLeft) {
            int leftShort = targetLeft - nrLeft;
            copyEntries(left, nrLeft, right, 0, leftShort);
            copyEntries(center, 0, right, leftShort, targetCenter);
            shiftDown(right, nrRight - targetRight);
        } else if (nrLeft < targetLeft + targetCenter) {
            int leftToCenter = nrLeft - targetLeft;
            copyEntries(center, 0, left, targetLeft, leftToCenter);
            copyEntries(center, leftToCenter, right, 0, targetCenter - leftToCenter);
            shiftDown(right, nrRight - targetRight);
        } else {
            int rightShort = targetRight - nrRight;
            shiftUp(right, rightShort);
            copyEntries(right, 0, left, nrLeft - rightShort, rightShort);
            copyEntries(center, 0, left, targetLeft, nrLeft - targetLeft);
        }
        left.setNrEntries(targetLeft);
        center.setNrEntries(targetCenter);
        right.setNrEntries(targetRight);
    }

    private static void copyHeaderShape(BTreeNode to, BTreeNode from) {
        to.setFlags(from.flags());
        to.setNrEntries(0);
        to.setMaxEntries(from.maxEntries());
        to.setValueSize(from.valueSize());
    }

    /** split_one_into_two: a new right sibling takes half of the current node; the parent has room. */
    private static void splitOneIntoTwo(ShadowSpine s, int parentIndex, long key) {
        Block left = s.current();
        Block right = newBlock(s.info);
        BTreeNode ln = new BTreeNode(left);
        BTreeNode rn = new BTreeNode(right);
        copyHeaderShape(rn, ln);
        redistribute2(ln, rn);

        BTreeNode pn = new BTreeNode(s.parent());
        try {
            insertAt(8, pn, parentIndex + 1, rn.key(0), le64(right.location()));
        } catch (MetadataException e) {
            s.info.tm().unlock(right);
            throw e;
        }
        if (Long.compareUnsigned(key, rn.key(0)) < 0) {
            s.info.tm().unlock(right);
            s.nodes[1] = left;
        } else {
            s.info.tm().unlock(left);
            s.nodes[1] = right;
        }
    }

    /**
     * shadow_child: shadow the index-th child of {@code parent} (a sibling we are about to modify) and point
     * the parent at the shadow.
     */
    static Block shadowChild(BTreeInfo info, ValueType vt, BTreeNode parent, int index) {
        long root = parent.value64(index);
        Block result = ShadowSpine.bnShadow(info, root, vt);
        parent.setValuePtr64(index, result.location());
        return result;
    }

    /** split_two_into_three: the current node and a sibling become three fuller nodes. */
    private static void splitTwoIntoThree(ShadowSpine s, int parentIndex, ValueType vt, long key) {
        TransactionManager tm = s.info.tm();
        Block parent = s.parent();
        BTreeNode pn = new BTreeNode(parent);
        int middleIndex;
        Block left;
        Block right;
        if (parentIndex == 0) {
            middleIndex = 1;
            left = s.current();
            right = shadowChild(s.info, vt, pn, parentIndex + 1);
        } else {
            middleIndex = parentIndex;
            right = s.current();
            left = shadowChild(s.info, vt, pn, parentIndex - 1);
        }
        Block middle = newBlock(s.info);
        BTreeNode ln = new BTreeNode(left);
        BTreeNode mn = new BTreeNode(middle);
        BTreeNode rn = new BTreeNode(right);
        copyHeaderShape(mn, ln);
        redistribute3(ln, mn, rn);

        pn.setKey(middleIndex, rn.key(0));
        try {
            insertAt(8, pn, middleIndex, mn.key(0), le64(middle.location()));
        } catch (MetadataException e) {
            if (s.current() != left) {
                tm.unlock(left);
            }
            tm.unlock(middle);
            if (s.current() != right) {
                tm.unlock(right);
            }
            throw e;
        }
        if (Long.compareUnsigned(key, mn.key(0)) < 0) {
            tm.unlock(middle);
            tm.unlock(right);
            s.nodes[1] = left;
        } else if (Long.compareUnsigned(key, rn.key(0)) < 0) {
            tm.unlock(left);
            tm.unlock(right);
            s.nodes[1] = middle;
        } else {
            tm.unlock(left);
            tm.unlock(middle);
            s.nodes[1] = right;
        }
    }

    /**
     * btree_split_beneath: the root is full, so its entries move into two new children and the root becomes
     * an internal node pointing at them (flags INTERNAL, max_entries 252, value_size 8). The root keeps its
     * block and, beyond the two new entries, its old bytes. The spine still points at the root; the insert
     * loop steps down again.
     */
    private static void btreeSplitBeneath(ShadowSpine s) {
        Block newParent = s.current();
        BTreeNode pn = new BTreeNode(newParent);
        // The kernel sizes leaf values by the tree's value type here, even for an upper-level leaf.
        int size = pn.isInternal() ? 8 : s.info.valueType().size();

        Block left = newBlock(s.info);
        BTreeNode ln = new BTreeNode(left);
        int nrLeft = pn.nrEntries() / 2;
        ln.setFlags(pn.flags());
        ln.setNrEntries(nrLeft);
        ln.setMaxEntries(pn.maxEntries());
        ln.setValueSize(pn.valueSize());
        System.arraycopy(pn.data(), BTreeNode.keyOffset(0), ln.data(), BTreeNode.keyOffset(0),
                nrLeft * BTreeNode.KEY_SIZE);
        System.arraycopy(pn.data(), pn.valueOffset(0), ln.data(), ln.valueOffset(0), nrLeft * size);

        Block right;
        try {
            right = newBlock(s.info);
        } catch (MetadataException e) {
            s.info.tm().unlock(left);
            throw e;
        }
        BTreeNode rn = new BTreeNode(right);
        int nrRight = pn.nrEntries() - nrLeft;
        rn.setFlags(pn.flags());
        rn.setNrEntries(nrRight);
        rn.setMaxEntries(pn.maxEntries());
        rn.setValueSize(pn.valueSize());
        System.arraycopy(pn.data(), BTreeNode.keyOffset(nrLeft), rn.data(), BTreeNode.keyOffset(0),
                nrRight * BTreeNode.KEY_SIZE);
        System.arraycopy(pn.data(), pn.valueOffset(nrLeft), rn.data(), rn.valueOffset(0), nrRight * size);

        pn.setFlags(BTreeNode.INTERNAL_NODE);
        pn.setNrEntries(2);
        pn.setMaxEntries(BTreeNode.calcMaxEntries(8, newParent.data().length));
        pn.setValueSize(8);
        pn.setKey(0, ln.key(0));
        pn.setValuePtr64(0, left.location());
        pn.setKey(1, rn.key(0));
        pn.setValuePtr64(1, right.location());

        s.info.tm().unlock(left);
        s.info.tm().unlock(right);
    }

    /** rebalance_left: move entries between the current node and its left sibling. */
    private static void rebalanceLeft(ShadowSpine s, ValueType vt, int parentIndex, long key) {
        BTreeNode parent = new BTreeNode(s.parent());
        Block sib = shadowChild(s.info, vt, parent, parentIndex - 1);
        BTreeNode left = new BTreeNode(sib);
        BTreeNode right = new BTreeNode(s.current());
        redistribute2(left, right);
        parent.setKey(parentIndex, right.key(0));
        if (Long.compareUnsigned(key, right.key(0)) < 0) {
            s.info.tm().unlock(s.nodes[1]);
            s.nodes[1] = sib;
        } else {
            s.info.tm().unlock(sib);
        }
    }

    /** rebalance_right: move entries between the current node and its right sibling. */
    private static void rebalanceRight(ShadowSpine s, ValueType vt, int parentIndex, long key) {
        BTreeNode parent = new BTreeNode(s.parent());
        Block sib = shadowChild(s.info, vt, parent, parentIndex + 1);
        BTreeNode left = new BTreeNode(s.current());
        BTreeNode right = new BTreeNode(sib);
        redistribute2(left, right);
        parent.setKey(parentIndex + 1, right.key(0));
        if (Long.compareUnsigned(key, right.key(0)) < 0) {
            s.info.tm().unlock(sib);
        } else {
            s.info.tm().unlock(s.nodes[1]);
            s.nodes[1] = sib;
        }
    }

    /** get_node_free_space: max_entries - nr_entries of a node, under a short read lock. */
    private static int getNodeFreeSpace(BTreeInfo info, long b) {
        Block block = info.tm().readLock(b, NodeValidator.INSTANCE);
        try {
            BTreeNode node = new BTreeNode(block);
            return node.maxEntries() - node.nrEntries();
        } finally {
            info.tm().unlock(block);
        }
    }

    /**
     * rebalance_or_split: make room in a full non-root node. Prefer moving entries to an unshared sibling
     * with at least {@link #SPACE_THRESHOLD} free slots (left first); otherwise split one into two at either
     * end of the parent (sequential inserts) or when a sibling is shared, else two into three.
     */
    private static void rebalanceOrSplit(ShadowSpine s, ValueType vt, int parentIndex, long key) {
        TransactionManager tm = s.info.tm();
        BTreeNode parent = new BTreeNode(s.parent());
        int nrParent = parent.nrEntries();
        boolean leftShared = false;
        boolean rightShared = false;

        if (parentIndex > 0) {
            long leftB = parent.value64(parentIndex - 1);
            leftShared = tm.blockIsShared(leftB);
            if (!leftShared && getNodeFreeSpace(s.info, leftB) >= SPACE_THRESHOLD) {
                rebalanceLeft(s, vt, parentIndex, key);
                return;
            }
        }
        if (parentIndex < nrParent - 1) {
            long rightB = parent.value64(parentIndex + 1);
            rightShared = tm.blockIsShared(rightB);
            if (!rightShared && getNodeFreeSpace(s.info, rightB) >= SPACE_THRESHOLD) {
                rebalanceRight(s, vt, parentIndex, key);
                return;
            }
        }
        if (leftShared || rightShared || nrParent <= 2 || parentIndex == 0 || parentIndex + 1 == nrParent) {
            splitOneIntoTwo(s, parentIndex, key);
        } else {
            splitTwoIntoThree(s, parentIndex, vt, key);
        }
    }

    private static boolean containsKey(BTreeNode node, long key) {
        int i = node.lowerBound(key);
        return i >= 0 && node.key(i) == key;
    }

    /** has_space_for_insert: a full leaf still takes an overwrite of a key it holds. */
    private static boolean hasSpaceForInsert(BTreeNode node, long key) {
        if (node.nrEntries() == node.maxEntries()) {
            if (node.isLeaf()) {
                return containsKey(node, key);
            }
            return false;
        }
        return true;
    }

    /**
     * btree_insert_raw: shadow down one level's tree towards {@code key}, making room in every full node on
     * the way and lowering the first key of internal nodes when the new key is below them. Returns the leaf
     * index where the key is or is to be inserted; the spine's current node is that leaf.
     */
    private static int btreeInsertRaw(ShadowSpine s, long root, ValueType vt, long key, int index) {
        int i = index;
        boolean top = true;
        BTreeNode node;
        for (;;) {
            s.step(root, vt);
            // The parent must point at the shadow; the spine cannot know which slot that is.
            if (s.hasParent() && i >= 0) {
                new BTreeNode(s.parent()).setValuePtr64(i, s.current().location());
            }
            node = new BTreeNode(s.current());
            if (!hasSpaceForInsert(node, key)) {
                if (top) {
                    btreeSplitBeneath(s);
                } else {
                    rebalanceOrSplit(s, vt, i, key);
                }
                // making space can change the current node
                node = new BTreeNode(s.current());
            }
            i = node.lowerBound(key);
            if (node.isLeaf()) {
                break;
            }
            if (i < 0) {
                // the new key is below every key: it becomes this subtree's lowest
                node.setKey(0, key);
                i = 0;
            }
            root = node.value64(i);
            top = false;
        }
        if (i < 0 || node.key(i) != key) {
            i++;
        }
        return i;
    }

    private static boolean needInsert(BTreeNode node, long[] keys, int level, int index) {
        return index >= node.nrEntries() || node.key(index) != keys[level];
    }

    /** The new root after an insert, and whether the key was new (dm_btree_insert_notify's "inserted"). */
    public record InsertResult(long newRoot, boolean inserted) {
    }

    /**
     * dm_btree_insert: store {@code value} under {@code keys}. {@code value} holds at least the value size;
     * only that many bytes are stored, but the value type's {@code equal} sees the whole buffer (so a
     * comparison longer than the value, as in the pre-64f2d15afe7b writeset tree, reads the caller's extra
     * bytes). Overwriting calls {@code dec} on the old value unless {@code equal} says it is the same; the
     * new value's reference passes to the tree (insert never calls {@code inc}).
     */
    public static long insert(BTreeInfo info, long root, long[] keys, byte[] value) {
        return insertNotify(info, root, keys, value).newRoot();
    }

    /** Single-level convenience for {@link #insert(BTreeInfo, long, long[], byte[])}. */
    public static long insert(BTreeInfo info, long root, long key, byte[] value) {
        return insert(info, root, new long[] {key}, value);
    }

    /** dm_btree_insert_notify. */
    public static InsertResult insertNotify(BTreeInfo info, long root, long[] keys, byte[] value) {
        checkKeys(info, keys);
        ValueType vt = info.valueType();
        if (value.length < vt.size()) {
            throw new IllegalArgumentException("value shorter than the value size " + vt.size());
        }
        ValueType le64Type = ValueType.le64(info.tm());
        ShadowSpine spine = new ShadowSpine(info);
        int lastLevel = info.levels() - 1;
        int index = -1;
        long block = root;
        try {
            int level;
            for (level = 0; level < lastLevel; level++) {
                index = btreeInsertRaw(spine, block, le64Type, keys[level], index);
                BTreeNode n = new BTreeNode(spine.current());
                if (needInsert(n, keys, level, index)) {
                    long newTree = empty(info);
                    insertAt(8, n, index, keys[level], le64(newTree));
                }
                block = n.value64(index);
            }
            index = btreeInsertRaw(spine, block, vt, keys[level], index);
            BTreeNode n = new BTreeNode(spine.current());
            boolean inserted;
            if (needInsert(n, keys, level, index)) {
                inserted = true;
                insertAt(vt.size(), n, index, keys[level], value);
            } else {
                inserted = false;
                int off = n.valueOffset(index);
                if (vt.hasDec() && (!vt.hasEqual() || !vt.equal().equal(n.data(), off, value, 0))) {
                    vt.dec().apply(n.data(), off, 1);
                }
                System.arraycopy(value, 0, n.data(), off, vt.size());
            }
            return new InsertResult(spine.root(), inserted);
        } finally {
            spine.exit();
        }
    }

    /** Single-level convenience for {@link #insertNotify(BTreeInfo, long, long[], byte[])}. */
    public static InsertResult insertNotify(BTreeInfo info, long root, long key, byte[] value) {
        return insertNotify(info, root, new long[] {key}, value);
    }

    // ---------------------------------------------------------------- overwrite leaf

    /**
     * The result of {@link #getOverwriteLeaf}: the new root, the shadowed leaf (write-locked: the caller
     * modifies the value in place and unlocks it) and the key's index in it.
     */
    public record OverwriteLeaf(long newRoot, Block leaf, int index) {
    }

    /**
     * btree_get_overwrite_leaf (dm-btree-internal.h; used by the space map's ref-count tree to update a
     * count in place): shadows the path to {@code key}, which must be present (EINVAL otherwise).
     */
    public static OverwriteLeaf getOverwriteLeaf(BTreeInfo info, long root, long key) {
        Bug.on(info.levels() > 1, "btree_get_overwrite_leaf on a multi-level tree");
        ShadowSpine spine = new ShadowSpine(info);
        try {
            int i = -1;
            for (;;) {
                spine.step(root, info.valueType());
                if (spine.hasParent() && i >= 0) {
                    new BTreeNode(spine.parent()).setValuePtr64(i, spine.current().location());
                }
                BTreeNode node = new BTreeNode(spine.current());
                i = node.lowerBound(key);
                Bug.on(i < 0, "overwrite leaf: key below the node's keys");
                Bug.on(i >= node.nrEntries(), "overwrite leaf: index past nr_entries");
                if (node.isLeaf()) {
                    if (key != node.key(i)) {
                        throw new MetadataException(Errno.EINVAL, "overwrite leaf: key not present");
                    }
                    break;
                }
                root = node.value64(i);
            }
            Block leaf = spine.current();
            // Leave the leaf locked for the caller; exit unlocks only the parent.
            spine.count--;
            return new OverwriteLeaf(spine.root(), leaf, i);
        } finally {
            spine.exit();
        }
    }

    // ---------------------------------------------------------------- remove

    /**
     * dm_btree_remove: remove {@code keys}, calling the value type's {@code dec} on the removed value and
     * rebalancing on the way down (dm-btree-remove.c). ENODATA if the key is absent; then, as in the kernel,
     * the caller keeps its old root although the path to the missing key was already shadowed.
     */
    public static long remove(BTreeInfo info, long root, long... keys) {
        checkKeys(info, keys);
        return BTreeRemove.remove(info, root, keys);
    }

    // ---------------------------------------------------------------- lowest / highest key

    /**
     * find_key: one level's lowest or highest key. Returns false for an empty node (the kernel's -ENODATA).
     * {@code out[0]} gets the key; when {@code wantNext}, {@code out[1]} gets the block the last node's
     * chosen value points to (the next level's root).
     */
    private static boolean findKey(RoSpine s, long block, boolean findHighest, boolean wantNext,
                                   boolean descendLastChild, long[] out) {
        int flags;
        do {
            s.step(block);
            BTreeNode n = s.node();
            flags = n.flags();
            int i = n.nrEntries();
            if (i == 0) {
                return false;
            }
            i--;
            out[0] = findHighest ? n.key(i) : n.key(0);
            if (wantNext || (flags & BTreeNode.INTERNAL_NODE) != 0) {
                block = (findHighest || descendLastChild) ? n.value64(i) : n.value64(0);
            }
        } while ((flags & BTreeNode.INTERNAL_NODE) != 0);
        out[1] = block;
        return true;
    }

    private static long[] findKeys(BTreeInfo info, long root, boolean findHighest, boolean descendLastChild) {
        RoSpine spine = new RoSpine(info);
        long[] result = new long[info.levels()];
        int count = 0;
        try {
            long[] out = new long[2];
            for (int level = 0; level < info.levels(); level++) {
                boolean last = level == info.levels() - 1;
                if (!findKey(spine, root, findHighest, !last, descendLastChild, out)) {
                    break;
                }
                result[level] = out[0];
                if (!last) {
                    root = out[1];
                }
                count++;
            }
        } finally {
            spine.exit();
        }
        return java.util.Arrays.copyOf(result, count);
    }

    /**
     * dm_btree_find_lowest_key: the lowest key of each level, as many as were found. An empty tree gives an
     * empty array, not an error: dm_btree_find_key turns find_key's -ENODATA into a count of 0.
     */
    public static long[] findLowestKey(BTreeInfo info, long root) {
        return findKeys(info, root, false, false);
    }

    /**
     * find_lowest_key as merged for dm-era in 3.15: it reported keys[0] of each node but descended the
     * last child of internal nodes, so with more than one leaf it returned the first key of the rightmost
     * leaf. Upstream now descends child 0 (the stored upstream dm-btree.c); this variant exists so the
     * model can reproduce kernels that still had the old descent.
     */
    public static long[] findLowestKeyDescendingLastChild(BTreeInfo info, long root) {
        return findKeys(info, root, false, true);
    }

    /** dm_btree_find_highest_key. */
    public static long[] findHighestKey(BTreeInfo info, long root) {
        return findKeys(info, root, true, false);
    }

    // ---------------------------------------------------------------- walk / visit

    /** The callback of {@link #walk}: a leaf entry's key and its value at {@code data[offset..]}. */
    @FunctionalInterface
    public interface LeafFn {
        void visit(long key, byte[] data, int offset);
    }

    /** dm_btree_walk: every leaf entry in key order. Single-level trees only, as in the kernel. */
    public static void walk(BTreeInfo info, long root, LeafFn fn) {
        Bug.on(info.levels() > 1, "dm_btree_walk on a multi-level tree");
        walkNode(info, root, fn);
    }

    private static void walkNode(BTreeInfo info, long block, LeafFn fn) {
        Block node = info.tm().readLock(block, NodeValidator.INSTANCE);
        try {
            BTreeNode n = new BTreeNode(node);
            int nr = n.nrEntries();
            for (int i = 0; i < nr; i++) {
                if (n.isInternal()) {
                    walkNode(info, n.value64(i), fn);
                } else {
                    fn.visit(n.key(i), n.data(), n.valueOffset(i));
                }
            }
        } finally {
            info.tm().unlock(node);
        }
    }

    /** The callback of {@link #visitNodes}: a validated node, its block and its depth (root = 0). */
    @FunctionalInterface
    public interface NodeFn {
        void visit(long location, BTreeNode node, int depth);
    }

    /**
     * Pre-order visit of every node of one level's tree (not a kernel function: for readers such as a
     * checker that counts references and checks node shapes). Each node is read through the validator.
     */
    public static void visitNodes(BTreeInfo info, long root, NodeFn fn) {
        visitNode(info, root, 0, fn);
    }

    private static void visitNode(BTreeInfo info, long block, int depth, NodeFn fn) {
        Block node = info.tm().readLock(block, NodeValidator.INSTANCE);
        try {
            BTreeNode n = new BTreeNode(node);
            fn.visit(block, n, depth);
            if (n.isInternal()) {
                for (int i = 0; i < n.nrEntries(); i++) {
                    visitNode(info, n.value64(i), depth + 1, fn);
                }
            }
        } finally {
            info.tm().unlock(node);
        }
    }

    private static void checkKeys(BTreeInfo info, long[] keys) {
        if (keys.length < info.levels()) {
            throw new IllegalArgumentException("need " + info.levels() + " keys, got " + keys.length);
        }
    }
}
