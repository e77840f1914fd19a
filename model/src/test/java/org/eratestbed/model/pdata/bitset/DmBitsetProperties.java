package org.eratestbed.model.pdata.bitset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.btree.TmFixture;
import org.eratestbed.model.pdata.tm.TransactionManager;

class DmBitsetProperties {

    enum Kind { SET, CLEAR, TEST, FLUSH, COMMIT, SNAPSHOT }

    record Op(Kind kind, int bit) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(Kind.SET)),
                Tuple.of(3, Arbitraries.just(Kind.CLEAR)),
                Tuple.of(5, Arbitraries.just(Kind.TEST)),
                Tuple.of(1, Arbitraries.just(Kind.FLUSH)),
                Tuple.of(1, Arbitraries.just(Kind.COMMIT)),
                Tuple.of(1, Arbitraries.just(Kind.SNAPSHOT)));
        Arbitrary<Integer> bits = Arbitraries.oneOf(Arbitraries.integers().between(0, 70_000),
                Arbitraries.integers().between(0, 200), Arbitraries.integers().between(32_500, 32_700));
        return Combinators.combine(kinds, bits).as(Op::new).list().ofMinSize(1).ofMaxSize(400);
    }

    /** The words of the bitset at {@code root} as stored (read through the array, not the cache). */
    static long[] words(DiskBitset info, long root) {
        List<Long> out = new ArrayList<>();
        DmArray.walk(info.arrayInfo(), root,
                (i, d, off) -> out.add(ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getLong(off)));
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] expectedWords(BitSet bits, int nrBits) {
        return java.util.Arrays.copyOf(bits.toLongArray(), (nrBits + 63) / 64);
    }

    /**
     * Random set/clear/test through the cache agree with a BitSet; after a flush the stored words are the
     * BitSet's words (bit i = word i/64, bit i%64, LSB first); a snapshot taken after a flush keeps its words
     * through later copy-on-write; del returns every block.
     */
    @Property(tries = 40)
    void agreesWithABitSet(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 70_001) int nrBits,
                           @ForAll boolean realTm) {
        TmFixture fx = TmFixture.of(realTm, 3000);
        long baseline = fx.freeBlocks();
        TransactionManager tm = fx.tm();
        DiskBitset info = new DiskBitset(tm);
        long root = DmBitset.resize(info, DmBitset.empty(info), 0, nrBits, false);
        BitSet ref = new BitSet();
        long snapRoot = -1;
        long[] snapWords = null;
        for (Op op : ops) {
            int bit = op.bit() % nrBits;
            switch (op.kind()) {
                case SET -> {
                    root = DmBitset.setBit(info, root, bit);
                    ref.set(bit);
                }
                case CLEAR -> {
                    root = DmBitset.clearBit(info, root, bit);
                    ref.clear(bit);
                }
                case TEST -> {
                    DmBitset.TestBit t = DmBitset.testBit(info, root, bit);
                    root = t.newRoot();
                    assertEquals(ref.get(bit), t.value(), "bit " + bit);
                }
                case FLUSH -> {
                    root = DmBitset.flush(info, root);
                    assertArrayEquals(expectedWords(ref, nrBits), words(info, root));
                }
                case COMMIT -> fx.commit();
                case SNAPSHOT -> {
                    root = DmBitset.flush(info, root);
                    if (snapRoot >= 0) {
                        assertArrayEquals(snapWords, words(info, snapRoot), "snapshot words");
                        DmBitset.del(info, snapRoot);
                    }
                    tm.inc(root);
                    snapRoot = root;
                    snapWords = expectedWords(ref, nrBits);
                    fx.commit();
                }
            }
            assertEquals(0, fx.heldLocks());
        }
        root = DmBitset.flush(info, root);
        assertArrayEquals(expectedWords(ref, nrBits), words(info, root));
        DiskBitset fresh = new DiskBitset(tm);
        for (int i = 0; i < Math.min(nrBits, 3000); i++) {
            assertEquals(ref.get(i), DmBitset.testBit(fresh, root, i).value(), "bit " + i + " read afresh");
        }
        if (snapRoot >= 0) {
            assertArrayEquals(snapWords, words(info, snapRoot));
            DmBitset.del(info, snapRoot);
        }
        DmBitset.del(info, root);
        fx.commit();
        assertEquals(baseline, fx.freeBlocks(), "every block freed");
    }
}
