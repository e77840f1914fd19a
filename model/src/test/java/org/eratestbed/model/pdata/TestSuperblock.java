package org.eratestbed.model.pdata;

import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.ChecksummedValidator;
import org.eratestbed.model.pdata.tm.DmTransactionManager;

/**
 * A stand-in for era's superblock in tests: block 0, era's salt, the space-map root copied in at offset
 * 44 (unaligned, as era does). {@link #format} and {@link #commit} follow dm-era's write_superblock and
 * metadata_commit step for step.
 */
public final class TestSuperblock {
    public static final ChecksummedValidator VALIDATOR =
            new ChecksummedValidator("superblock", BlockType.ERA_SUPERBLOCK, 8);
    public static final int SM_ROOT_OFFSET = 44;
    public static final int SM_ROOT_MAX = 128;

    private TestSuperblock() {
    }

    /** era's write_superblock at format: save the sm root, lock block 0 zeroed, fill it, dm_tm_commit (no pre-commit). */
    public static void format(DmTransactionManager tm) {
        byte[] root = new byte[SM_ROOT_MAX];
        tm.spaceMap().copyRoot(root, 0, SM_ROOT_MAX);
        Block sb = tm.blockManager().writeLockZero(0, VALIDATOR);
        System.arraycopy(root, 0, sb.data(), SM_ROOT_OFFSET, SM_ROOT_MAX);
        tm.commit(sb);
    }

    /** era's metadata_commit: pre-commit, save the sm root, lock block 0, fill it, dm_tm_commit. */
    public static void commit(DmTransactionManager tm) {
        tm.preCommit();
        byte[] root = new byte[SM_ROOT_MAX];
        tm.spaceMap().copyRoot(root, 0, SM_ROOT_MAX);
        Block sb = tm.blockManager().writeLock(0, VALIDATOR);
        System.arraycopy(root, 0, sb.data(), SM_ROOT_OFFSET, SM_ROOT_MAX);
        tm.commit(sb);
    }

    /** era's open_metadata: read block 0, open the tm and sm from its root. */
    public static DmTransactionManager open(BlockManager bm) {
        Block sb = bm.readLock(0, VALIDATOR);
        byte[] copy = sb.data().clone();
        bm.unlock(sb);
        return DmTransactionManager.openWithSm(bm, 0, copy, SM_ROOT_OFFSET, SM_ROOT_MAX);
    }
}
