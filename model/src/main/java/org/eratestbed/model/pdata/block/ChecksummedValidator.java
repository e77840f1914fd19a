package org.eratestbed.model.pdata.block;

import java.util.function.Consumer;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * The validator shape shared by every persistent-data block: a le32 checksum at offset 0 covering bytes
 * 4..4095 with the block type's salt, and the block's own location as a le64 at {@code blocknrOffset}
 * (8 for btree nodes, space-map index and bitmap blocks; 16 for array blocks). {@code check} tests the
 * location first (ENOTBLK) and then the checksum (EILSEQ), in the kernel's order; {@code extraCheck} runs
 * after both for type-specific checks (btree header sanity, superblock magic...).
 */
public final class ChecksummedValidator implements BlockValidator {
    private final String name;
    private final BlockType type;
    private final int blocknrOffset;
    private final Consumer<Block> extraCheck;
    private final String logPrefix;
    private final String checkName;

    public ChecksummedValidator(String name, BlockType type, int blocknrOffset) {
        this(name, type, blocknrOffset, b -> { });
    }

    public ChecksummedValidator(String name, BlockType type, int blocknrOffset, Consumer<Block> extraCheck) {
        this(name, type, blocknrOffset, extraCheck, null, name + " check");
    }

    /**
     * @param logPrefix the kernel file's DM_MSG_PREFIX, see {@link #logPrefix()}
     * @param checkName how the kernel's check function names itself in its message ("bitmap check", "index_check")
     */
    public ChecksummedValidator(String name, BlockType type, int blocknrOffset, Consumer<Block> extraCheck,
            String logPrefix, String checkName) {
        this.name = name;
        this.type = type;
        this.blocknrOffset = blocknrOffset;
        this.extraCheck = extraCheck;
        this.logPrefix = logPrefix;
        this.checkName = checkName;
    }

    @Override
    public String logPrefix() {
        return logPrefix;
    }

    @Override
    public String name() {
        return name;
    }

    public BlockType type() {
        return type;
    }

    @Override
    public void prepareForWrite(Block block) {
        block.le().putLong(blocknrOffset, block.location());
        block.le().putInt(0, Checksum.blockChecksum(block.data(), type));
    }

    @Override
    public void check(Block block) {
        long recorded = block.le().getLong(blocknrOffset);
        if (recorded != block.location()) {
            throw new MetadataException(Errno.ENOTBLK, checkName + " failed: blocknr " + Long.toUnsignedString(recorded)
                    + " != wanted " + block.location());
        }
        int wanted = Checksum.blockChecksum(block.data(), type);
        int onDisk = block.le().getInt(0);
        if (wanted != onDisk) {
            throw new MetadataException(Errno.EILSEQ, checkName + " failed: csum "
                    + Integer.toUnsignedString(wanted) + " != wanted " + Integer.toUnsignedString(onDisk));
        }
        extraCheck.accept(block);
    }

    @Override
    public String toString() {
        return name;
    }
}
