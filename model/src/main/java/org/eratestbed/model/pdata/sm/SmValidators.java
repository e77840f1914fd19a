package org.eratestbed.model.pdata.sm;

import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.ChecksummedValidator;

/**
 * The space map's block validators (dm-space-map-common.c): the metadata index block
 * ({@code disk_metadata_index}: csum, padding, blocknr at 8; salt 160478) and bitmap blocks
 * ({@code disk_bitmap_header}: csum, not_used, blocknr at 8; salt 240779).
 */
public final class SmValidators {
    public static final ChecksummedValidator INDEX = new ChecksummedValidator("index", BlockType.SM_INDEX, 8, b -> { },
            "space map common", "index_check");
    public static final ChecksummedValidator BITMAP = new ChecksummedValidator("sm_bitmap", BlockType.SM_BITMAP, 8, b -> { },
            "space map common", "bitmap check");

    private SmValidators() {
    }
}
