package org.eratestbed.model.pdata.sm;

/**
 * The kernel's struct dm_space_map (persistent-data/dm-space-map.h): reference counts of the blocks of a
 * device. Counts are the kernel's uint32 values held in a {@code long}. Errors are
 * {@link org.eratestbed.model.pdata.MetadataException}s with the kernel's errno.
 */
public interface SpaceMap {
    /** dm_sm_extend. */
    void extend(long extraBlocks);

    /** dm_sm_get_nr_blocks: the device size the map covers. */
    long getNrBlocks();

    /** dm_sm_get_nr_free: for the metadata space map, blocks free as of the last commit minus this transaction's allocations. */
    long getNrFree();

    /** dm_sm_get_count. */
    long getCount(long b);

    /** dm_sm_count_is_more_than_one. */
    boolean countIsMoreThanOne(long b);

    /** dm_sm_set_count. */
    void setCount(long b, long count);

    /** dm_sm_commit. */
    void commit();

    /** dm_sm_inc_blocks: increment every block in [b, e). */
    void incBlocks(long b, long e);

    /** dm_sm_dec_blocks: decrement every block in [b, e). */
    void decBlocks(long b, long e);

    /** dm_sm_inc_block. */
    default void incBlock(long b) {
        incBlocks(b, b + 1);
    }

    /** dm_sm_dec_block. */
    default void decBlock(long b) {
        decBlocks(b, b + 1);
    }

    /** dm_sm_new_block: allocate a free block and give it count 1. */
    long newBlock();

    /** dm_sm_root_size. */
    int rootSize();

    /** dm_sm_copy_root: write the on-disk root (little-endian) into {@code where} at {@code offset}; ENOSPC if {@code max} is too small. */
    void copyRoot(byte[] where, int offset, int max);

    /** dm_sm_register_threshold_callback: {@code fn} runs when the free count first drops to {@code threshold} or below. */
    void registerThresholdCallback(long threshold, Runnable fn);
}
