package org.eratestbed.model.pdata.btree;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.BlockValidator;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * btree_node_validator (dm-btree-spine.c). The check order and errnos are the kernel's: blocknr (ENOTBLK),
 * checksum, max_entries fits the block, nr_entries &le; max_entries, INTERNAL or LEAF flag (all EILSEQ).
 * Unlike thin-provisioning-tools it does not insist on max_entries being a multiple of three or on a minimum
 * fill, because the kernel does not.
 */
public final class NodeValidator implements BlockValidator {
    public static final NodeValidator INSTANCE = new NodeValidator();

    private NodeValidator() {
    }

    @Override
    public String name() {
        return "btree_node";
    }

    @Override
    public String logPrefix() {
        return "btree spine";
    }

    @Override
    public void prepareForWrite(Block block) {
        block.le().putLong(BTreeNode.OFF_BLOCKNR, block.location());
        block.le().putInt(BTreeNode.OFF_CSUM, Checksum.blockChecksum(block.data(), BlockType.BTREE_NODE));
    }

    @Override
    public void check(Block block) {
        BTreeNode n = new BTreeNode(block);
        if (block.location() != n.blocknr()) {
            throw new MetadataException(Errno.ENOTBLK, "node_check failed: blocknr "
                    + Long.toUnsignedString(n.blocknr()) + " != wanted " + block.location());
        }
        int csum = Checksum.blockChecksum(block.data(), BlockType.BTREE_NODE);
        if (csum != n.csum()) {
            throw new MetadataException(Errno.EILSEQ, "node_check failed: csum " + Integer.toUnsignedString(csum)
                    + " != wanted " + Integer.toUnsignedString(n.csum()));
        }
        long valueSize = Integer.toUnsignedLong(n.valueSize());
        long maxEntries = Integer.toUnsignedLong(n.maxEntries());
        // size_t arithmetic: wraps modulo 2^64 exactly like the kernel's on a 64-bit machine.
        long needed = BTreeNode.HEADER_SIZE + (BTreeNode.KEY_SIZE + valueSize) * maxEntries;
        if (Long.compareUnsigned(needed, block.data().length) > 0) {
            throw new MetadataException(Errno.EILSEQ, "node_check failed: max_entries too large");
        }
        if (Integer.compareUnsigned(n.nrEntries(), n.maxEntries()) > 0) {
            throw new MetadataException(Errno.EILSEQ, "node_check failed: too many entries");
        }
        int flags = n.flags();
        if ((flags & BTreeNode.INTERNAL_NODE) == 0 && (flags & BTreeNode.LEAF_NODE) == 0) {
            throw new MetadataException(Errno.EILSEQ, "node_check failed: node is neither INTERNAL or LEAF");
        }
    }
}
