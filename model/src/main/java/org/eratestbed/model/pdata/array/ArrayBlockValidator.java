package org.eratestbed.model.pdata.array;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.BlockValidator;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * array_validator (dm-array.c): blocknr must match (ENOTBLK), then the checksum with salt 595846735
 * (EILSEQ). Unlike btree nodes, the kernel checks nothing else in an array block.
 */
public final class ArrayBlockValidator implements BlockValidator {
    public static final ArrayBlockValidator INSTANCE = new ArrayBlockValidator();

    private ArrayBlockValidator() {
    }

    @Override
    public String name() {
        return "array";
    }

    @Override
    public String logPrefix() {
        return "array";
    }

    @Override
    public void prepareForWrite(Block block) {
        block.le().putLong(ArrayBlock.OFF_BLOCKNR, block.location());
        block.le().putInt(ArrayBlock.OFF_CSUM, Checksum.blockChecksum(block.data(), BlockType.ARRAY_BLOCK));
    }

    @Override
    public void check(Block block) {
        ArrayBlock ab = new ArrayBlock(block);
        if (block.location() != ab.blocknr()) {
            throw new MetadataException(Errno.ENOTBLK, "array_block_check failed: blocknr "
                    + Long.toUnsignedString(ab.blocknr()) + " != wanted " + block.location());
        }
        int csum = Checksum.blockChecksum(block.data(), BlockType.ARRAY_BLOCK);
        if (csum != ab.csum()) {
            throw new MetadataException(Errno.EILSEQ, "array_block_check failed: csum "
                    + Integer.toUnsignedString(csum) + " != wanted " + Integer.toUnsignedString(ab.csum()));
        }
    }
}
