package org.eratestbed.model.pdata.sm;

/**
 * struct disk_index_entry (16 bytes): {le64 blocknr; le32 nr_free; le32 none_free_before}: where one bitmap
 * block lives, how many of its entries are free, and a lower bound on its first free entry (a search hint).
 */
public record IndexEntry(long blocknr, int nrFree, int noneFreeBefore) {
    public static final int SIZE = 16;

    public IndexEntry withBlocknr(long b) {
        return new IndexEntry(b, nrFree, noneFreeBefore);
    }

    public IndexEntry withNrFree(int n) {
        return new IndexEntry(blocknr, n, noneFreeBefore);
    }

    public IndexEntry withNoneFreeBefore(int n) {
        return new IndexEntry(blocknr, nrFree, n);
    }
}
