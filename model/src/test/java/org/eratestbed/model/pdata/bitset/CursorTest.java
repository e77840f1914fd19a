package org.eratestbed.model.pdata.bitset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.ArrayCursor;
import org.eratestbed.model.pdata.array.ArrayInfo;
import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeCursor;
import org.eratestbed.model.pdata.btree.BTreeInfo;
import org.eratestbed.model.pdata.btree.TmFixture;
import org.eratestbed.model.pdata.btree.ValueType;
import org.junit.jupiter.api.Test;

/** The btree, array and bitset cursors walk what walk/get/test see, and release their locks. */
class CursorTest {

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void btreeCursorWalksAMultiLevelTreeInOrder() {
        TmFixture fx = TmFixture.real(2000);
        BTreeInfo info = BTreeInfo.singleLevel(fx.tm(), ValueType.plain(8));
        long root = BTree.empty(info);
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class,
                () -> BTreeCursor.begin(info, BTree.empty(info), false)).errno());
        assertEquals(0, fx.heldLocks(), "a failed begin holds nothing");

        Random rnd = new Random(7);
        for (int i = 0; i < 3000; i++) {
            long k = rnd.nextInt(100_000);
            root = BTree.insert(info, root, k, le(new byte[8]).putLong(0, k * 2).array());
        }
        List<Long> walked = new ArrayList<>();
        BTree.walk(info, root, (k, d, off) -> walked.add(k));
        List<Long> seen = new ArrayList<>();
        try (BTreeCursor c = BTreeCursor.begin(info, root, true)) {
            do {
                assertEquals(c.key() * 2, le(c.value()).getLong(0));
                seen.add(c.key());
            } while (c.next());
            assertFalse(c.next(), "stays at the end");
        }
        assertEquals(walked, seen);
        assertEquals(0, fx.heldLocks());

        try (BTreeCursor c = BTreeCursor.begin(info, root, false)) {
            assertTrue(c.skip(1000));
            assertEquals(walked.get(1000), c.key());
            assertFalse(c.skip(walked.size()));
        }
        assertEquals(0, fx.heldLocks());
    }

    @Test
    void arrayCursorAndSkipAcrossBlocks() {
        TmFixture fx = TmFixture.real(2000);
        ArrayInfo info = new ArrayInfo(fx.tm(), ValueType.plain(4));
        long root = DmArray.newArray(info, 3000, (i, d, off) -> le(d).putInt(off, i + 7));
        try (ArrayCursor c = ArrayCursor.begin(info, root)) {
            for (int i = 0; i < 3000; i++) {
                assertEquals(i + 7, le(c.value()).getInt(0), "element " + i);
                assertEquals(i < 2999, c.next());
            }
        }
        try (ArrayCursor c = ArrayCursor.begin(info, root)) {
            assertTrue(c.skip(1017));
            assertEquals(1017 + 7, le(c.value()).getInt(0));
            assertTrue(c.skip(1));
            assertEquals(1018 + 7, le(c.value()).getInt(0), "into the second array block");
            assertTrue(c.skip(1500));
            assertEquals(2518 + 7, le(c.value()).getInt(0));
            assertFalse(c.skip(1000));
        }
        assertEquals(0, fx.heldLocks());
    }

    @Test
    void bitsetCursorReadsStoredWords() {
        TmFixture fx = TmFixture.real(2000);
        DiskBitset info = new DiskBitset(fx.tm());
        int nr = 40_000;
        long root = DmBitset.resize(info, DmBitset.empty(info), 0, nr, false);
        BitSet ref = new BitSet();
        Random rnd = new Random(3);
        for (int i = 0; i < 500; i++) {
            int b = rnd.nextInt(nr);
            root = DmBitset.setBit(info, root, b);
            ref.set(b);
        }
        root = DmBitset.flush(info, root);
        try (BitsetCursor c = BitsetCursor.begin(info, root, nr)) {
            for (int i = 0; i < nr; i++) {
                assertEquals(ref.get(i), c.value(), "bit " + i);
                if (i < nr - 1) {
                    assertTrue(c.next());
                }
            }
        }
        try (BitsetCursor c = BitsetCursor.begin(info, root, nr)) {
            int pos = 0;
            for (int step : new int[] {5, 59, 64, 1000, 33_000, 63}) {
                assertTrue(c.skip(step));
                pos += step;
                assertEquals(ref.get(pos), c.value(), "bit " + pos + " after skip " + step);
            }
            assertFalse(c.skip(nr));
        }
        assertEquals(0, fx.heldLocks());
        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class,
                () -> BitsetCursor.begin(info, DmBitset.empty(info), 0)).errno());
    }
}
