package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.tm.Shadow;

/**
 * struct shadow_spine: the copy-on-write walk down the tree used by insert and remove. It holds at most two
 * write locks (parent and current); each step shadows the next node, incrementing the children of a node
 * that was shared, and remembers the (possibly new) root.
 */
final class ShadowSpine {
    final BTreeInfo info;
    int count;
    /** nodes[count - 1] is the current node, nodes[0] its parent when count == 2; splits replace nodes[1]. */
    final Block[] nodes = new Block[2];
    private long root;

    ShadowSpine(BTreeInfo info) {
        this.info = info;
    }

    /** bn_shadow: shadow a node and, when it was shared, take a reference on everything it points to. */
    static Block bnShadow(BTreeInfo info, long orig, ValueType vt) {
        Shadow shadow = info.tm().shadowBlock(orig, NodeValidator.INSTANCE);
        if (shadow.incChildren()) {
            BTree.incChildren(info.tm(), new BTreeNode(shadow.block()), vt);
        }
        return shadow.block();
    }

    void step(long b, ValueType vt) {
        if (count == 2) {
            info.tm().unlock(nodes[0]);
            nodes[0] = nodes[1];
            count--;
        }
        Block shadowed = bnShadow(info, b, vt);
        nodes[count] = shadowed;
        if (count == 0) {
            root = shadowed.location();
        }
        count++;
    }

    Block current() {
        Bug.on(count == 0, "shadow_current on an empty spine");
        return nodes[count - 1];
    }

    Block parent() {
        Bug.on(count != 2, "shadow_parent without a parent");
        return nodes[0];
    }

    boolean hasParent() {
        return count >= 2;
    }

    long root() {
        return root;
    }

    void exit() {
        for (int i = 0; i < count; i++) {
            info.tm().unlock(nodes[i]);
        }
        count = 0;
    }
}
