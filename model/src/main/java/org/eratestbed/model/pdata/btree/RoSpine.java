package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.block.Block;

/** struct ro_spine: a read-only walk down the tree holding at most two read locks (parent and child). */
final class RoSpine {
    private final BTreeInfo info;
    private int count;
    private final Block[] nodes = new Block[2];

    RoSpine(BTreeInfo info) {
        this.info = info;
    }

    void step(long newChild) {
        if (count == 2) {
            info.tm().unlock(nodes[0]);
            nodes[0] = nodes[1];
            count--;
        }
        nodes[count] = info.tm().readLock(newChild, NodeValidator.INSTANCE);
        count++;
    }

    BTreeNode node() {
        Bug.on(count == 0, "ro_node on an empty spine");
        return new BTreeNode(nodes[count - 1]);
    }

    void exit() {
        for (int i = 0; i < count; i++) {
            info.tm().unlock(nodes[i]);
        }
        count = 0;
    }
}
