package org.eratestbed.model.pdata.bitset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.ArrayBlock;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeNode;
import org.eratestbed.model.pdata.btree.MemoryTransactionManager;
import org.junit.jupiter.api.Test;

/** dm-bitset word layout and the one-word cache (reference dm-era.md section 2, dm-bitset; defect 2524933). */
class DmBitsetTest {

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** setup_on_disk_bitset of dm-era: an empty bitset resized to nr_bits, all clear. */
    private static long writeset(DiskBitset info, int nrBits) {
        return DmBitset.resize(info, DmBitset.empty(info), 0, nrBits, false);
    }

    @Test
    void wordLayoutIsLsbFirst() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long root = writeset(info, 200);
        for (int bit : new int[] {0, 1, 63, 64, 130, 199}) {
            root = DmBitset.setBit(info, root, bit);
        }
        root = DmBitset.flush(info, root);
        assertArrayEquals(new long[] {0x8000000000000003L, 1L, 1L << 2, 1L << 7},
                DmBitsetProperties.words(info, root));
        long ablock = le(BTree.lookup(info.arrayInfo().btreeInfo(), root, 0)).getLong(0);
        byte[] d = tm.rawBlock(ablock);
        assertEquals(509, le(d).getInt(ArrayBlock.OFF_MAX_ENTRIES));
        assertEquals(4, le(d).getInt(ArrayBlock.OFF_NR_ENTRIES), "200 bits = 4 words");
        assertEquals(8, le(d).getInt(ArrayBlock.OFF_VALUE_SIZE));
        assertEquals(0x03, d[24] & 0xff, "bits 0 and 1: the first byte of word 0");
        assertEquals(0x80, d[31] & 0xff, "bit 63: the top bit of the last byte of word 0");
        assertEquals(0x01, d[32] & 0xff, "bit 64: word 1");
        assertEquals(0x04, d[40] & 0xff, "bit 130: word 2, bit 2");
        assertEquals(0x80, d[48] & 0xff, "bit 199: word 3, bit 7");
    }

    @Test
    void wordsPerArrayBlock() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long r5000 = writeset(info, 5000);
        long ab = le(BTree.lookup(info.arrayInfo().btreeInfo(), r5000, 0)).getLong(0);
        assertEquals(79, le(tm.rawBlock(ab)).getInt(ArrayBlock.OFF_NR_ENTRIES), "5000 bits = 79 words");
        long big = writeset(info, 509 * 64 + 1);
        assertEquals(2, le(tm.rawBlock(big)).getInt(BTreeNode.OFF_NR_ENTRIES), "32577 bits need a second block");
        long ones = DmBitset.resize(info, DmBitset.empty(info), 0, 100, true);
        assertTrue(DmBitset.testBit(new DiskBitset(tm), ones, 99).value(), "default true fills words with ~0");
    }

    /**
     * The mechanism of 2524933307fd: two writesets of at most 64 bits, read through one info. The second
     * read hits the cached word 0 of the first writeset; re-initialising the info (the fix) reads the
     * second writeset's own word.
     */
    @Test
    void staleCachedWordIsReturnedForAnotherBitsetUntilReinit() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset writer = new DiskBitset(tm);
        long era1 = writeset(writer, 64);
        era1 = DmBitset.setBit(writer, era1, 3);
        era1 = DmBitset.flush(writer, era1);
        long era2 = writeset(writer, 64);
        era2 = DmBitset.setBit(writer, era2, 5);
        era2 = DmBitset.flush(writer, era2);

        DiskBitset digest = new DiskBitset(tm);
        assertTrue(DmBitset.testBit(digest, era1, 3).value());
        assertFalse(DmBitset.testBit(digest, era1, 5).value());
        // next writeset, same info, not re-initialised: word 0 comes from the cache (era 1's word)
        assertTrue(DmBitset.testBit(digest, era2, 3).value(), "era 2 seen with era 1's bits");
        assertFalse(DmBitset.testBit(digest, era2, 5).value(), "era 2's own mark is missed");
        assertTrue(digest.currentIndexSet());
        assertEquals(0, digest.currentIndex());

        digest.init(tm);
        assertFalse(DmBitset.testBit(digest, era2, 3).value());
        assertTrue(DmBitset.testBit(digest, era2, 5).value(), "after re-init the word is read from era 2");
    }

    /** With more than 64 blocks the digest moves to word 1, which evicts the stale word 0. */
    @Test
    void movingToAnotherWordRefreshesTheCache() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset writer = new DiskBitset(tm);
        long era1 = writeset(writer, 65);
        era1 = DmBitset.flush(writer, DmBitset.setBit(writer, era1, 3));
        long era2 = writeset(writer, 65);
        era2 = DmBitset.flush(writer, DmBitset.setBit(writer, era2, 5));

        DiskBitset digest = new DiskBitset(tm);
        for (int b = 0; b < 65; b++) {
            DmBitset.testBit(digest, era1, b);
        }
        assertEquals(1, digest.currentIndex(), "era 1's walk ended in word 1");
        assertTrue(DmBitset.testBit(digest, era2, 5).value(), "word 0 of era 2 is read from disk");
    }

    /** dm_disk_bitset_init forgets a dirty word without writing it. */
    @Test
    void reinitDropsADirtyWord() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long root = writeset(info, 100);
        root = DmBitset.setBit(info, root, 7);
        assertTrue(info.dirty());
        info.init(tm);
        assertTrue(info.dirty(), "init leaves dirty as it was");
        assertEquals(root, DmBitset.flush(info, root), "nothing to flush once current_index_set is false");
        assertFalse(DmBitset.testBit(info, root, 7).value(), "the set bit never reached the array");
    }

    /** A dirty word is flushed into whichever root the next call names. */
    @Test
    void flushWritesTheCachedWordIntoTheGivenRoot() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long a = writeset(info, 128);
        long b = writeset(info, 128);
        a = DmBitset.setBit(info, a, 2);
        b = DmBitset.setBit(info, b, 70);
        assertTrue(DmBitset.testBit(new DiskBitset(tm), b, 2).value(), "a's word 0 landed in b");
        assertFalse(DmBitset.testBit(new DiskBitset(tm), a, 2).value(), "and never in a");
    }

    @Test
    void bitsPastTheEnd() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long root = writeset(info, 64);
        assertFalse(DmBitset.testBit(info, root, 63).value());
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class,
                () -> DmBitset.testBit(info, root, 64)).errno());
        assertEquals(0, tm.heldLocks());
    }

    @Test
    void newBitsetPacksBits() {
        MemoryTransactionManager tm = new MemoryTransactionManager(64);
        DiskBitset info = new DiskBitset(tm);
        long root = DmBitset.newBitset(info, 130, i -> i % 3 == 0);
        long[] w = DmBitsetProperties.words(info, root);
        assertEquals(3, w.length);
        for (int i = 0; i < 130; i++) {
            assertEquals(i % 3 == 0, (w[i / 64] >>> (i % 64) & 1) == 1, "bit " + i);
        }
        assertEquals(0, w[2] >>> 2, "bits past nr_bits in the last word are 0");
    }
}
