package org.eratestbed.model.pdata.block;

import org.eratestbed.model.pdata.MetadataException;

/**
 * The kernel's struct dm_block_validator: stamps a block before it is written (location, checksum) and
 * checks it after it is read. {@code check} throws {@link MetadataException} with EILSEQ for a bad
 * checksum or magic and ENOTBLK for a block that records another location, as the kernel does.
 */
public interface BlockValidator {
    String name();

    void prepareForWrite(Block block);

    void check(Block block);

    /**
     * The DM_MSG_PREFIX under which the kernel's check function logs its failure (DMERR_LIMIT, with the
     * exception's message as its text), or null when the check logs nothing of its own.
     */
    default String logPrefix() {
        return null;
    }
}
