package org.eratestbed.model.pdata.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.TmFixture;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.TransactionManager;

class DmArrayProperties {

    enum Kind { RESIZE, SET, GET, COMMIT, SNAPSHOT }

    record Op(Kind kind, int a, long v) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(Kind.RESIZE)),
                Tuple.of(8, Arbitraries.just(Kind.SET)),
                Tuple.of(4, Arbitraries.just(Kind.GET)),
                Tuple.of(1, Arbitraries.just(Kind.COMMIT)),
                Tuple.of(1, Arbitraries.just(Kind.SNAPSHOT)));
        Arbitrary<Integer> as = Arbitraries.oneOf(Arbitraries.integers().between(0, 3100),
                Arbitraries.integers().between(1010, 1030), Arbitraries.integers().between(0, 12));
        return Combinators.combine(kinds, as, Arbitraries.longs()).as(Op::new).list().ofMinSize(1).ofMaxSize(300);
    }

    private static byte[] encode(long v, int size) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
        return java.util.Arrays.copyOf(b.array(), size);
    }

    private static long decode(byte[] d, int off, int size) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        return size == 4 ? Integer.toUnsignedLong(b.getInt(off)) : b.getLong(off);
    }

    private static List<Long> contents(ArrayInfo info, long root) {
        List<Long> out = new ArrayList<>();
        int size = info.valueType().size();
        DmArray.walk(info, root, (index, data, offset) -> {
            assertEquals(out.size(), index, "walk index");
            out.add(decode(data, offset, size));
        });
        return out;
    }

    /**
     * dm-array's shrink drops whole blocks only when the number of full blocks falls, and trims only when
     * the new size has a partial last block: shrinking from a partial block to the block boundary just below
     * it (for example 5 entries to 0, or 1020 to 1018) changes nothing on disk.
     */
    static boolean shrinkKeepsPartialBlock(int oldSize, int newSize, int max) {
        return newSize < oldSize && newSize % max == 0 && newSize / max == oldSize / max;
    }

    /** Every array block but the last is full, keys run 0..n-1, headers are right, blocks validate. */
    static void checkShape(ArrayInfo info, long root, int size) {
        int max = ArrayBlock.calcMaxEntries(info.valueType().size(), 4096);
        int blocks = (size + max - 1) / max;
        List<Long> keys = new ArrayList<>();
        BTree.walk(info.btreeInfo(), root, (key, data, offset) -> keys.add(key));
        assertEquals(blocks, keys.size(), "array blocks for " + size + " entries");
        for (int k = 0; k < blocks; k++) {
            assertEquals(k, keys.get(k));
            long b = ByteBuffer.wrap(BTree.lookup(info.btreeInfo(), root, k)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            Block block = info.tm().readLock(b, ArrayBlockValidator.INSTANCE);
            try {
                ArrayBlock ab = new ArrayBlock(block);
                assertEquals(max, ab.maxEntries());
                assertEquals(info.valueType().size(), ab.valueSize());
                assertEquals(k < blocks - 1 ? max : size - k * max, ab.nrEntries(), "entries of block " + k);
            } finally {
                info.tm().unlock(block);
            }
        }
    }

    /**
     * Random resizes, sets and gets agree with a list; a snapshot (root with an extra reference, as a
     * metadata snapshot holds it) keeps its contents through later copy-on-write; deleting both returns
     * every block.
     */
    @Property(tries = 40)
    void agreesWithAList(@ForAll("ops") List<Op> ops, @ForAll boolean wideValues, @ForAll boolean realTm) {
        int size = wideValues ? 8 : 4;
        TmFixture fx = TmFixture.of(realTm, 6000);
        long baseline = fx.freeBlocks();
        TransactionManager tm = fx.tm();
        ArrayInfo info = new ArrayInfo(tm, ValueType.plain(size));
        long root = DmArray.empty(info);
        List<Long> ref = new ArrayList<>();
        long snapRoot = -1;
        List<Long> snapRef = null;
        long mask = size == 4 ? 0xffffffffL : -1L;
        for (Op op : ops) {
            switch (op.kind()) {
                case RESIZE -> {
                    int newSize = op.a();
                    int max = ArrayBlock.calcMaxEntries(size, 4096);
                    if (shrinkKeepsPartialBlock(ref.size(), newSize, max)) {
                        // the kernel quirk shown in DmArrayLayoutTest; the list model does not follow it
                        break;
                    }
                    long dflt = op.v() & mask;
                    root = DmArray.resize(info, root, ref.size(), newSize, encode(dflt, size));
                    while (ref.size() > newSize) {
                        ref.remove(ref.size() - 1);
                    }
                    while (ref.size() < newSize) {
                        ref.add(dflt);
                    }
                }
                case SET -> {
                    int index = op.a();
                    long v = op.v() & mask;
                    if (index < ref.size()) {
                        root = DmArray.setValue(info, root, index, encode(v, size));
                        ref.set(index, v);
                    } else {
                        long r = root;
                        MetadataException e = assertThrows(MetadataException.class,
                                () -> DmArray.setValue(info, r, index, encode(v, size)));
                        assertEquals(Errno.ENODATA, e.errno());
                        if (e instanceof RootMovedException moved) {
                            root = moved.newRoot();
                        }
                    }
                }
                case GET -> {
                    int index = op.a();
                    if (index < ref.size()) {
                        assertEquals(ref.get(index), decode(DmArray.getValue(info, root, index), 0, size));
                    } else {
                        long r = root;
                        assertEquals(Errno.ENODATA, assertThrows(MetadataException.class,
                                () -> DmArray.getValue(info, r, index)).errno());
                    }
                }
                case COMMIT -> fx.commit();
                case SNAPSHOT -> {
                    if (snapRoot >= 0) {
                        assertEquals(snapRef, contents(info, snapRoot), "snapshot contents");
                        DmArray.del(info, snapRoot);
                    }
                    tm.inc(root);
                    snapRoot = root;
                    snapRef = new ArrayList<>(ref);
                    fx.commit();
                }
            }
            assertEquals(0, fx.heldLocks(), "locks after " + op);
        }
        assertEquals(ref, contents(info, root));
        checkShape(info, root, ref.size());
        if (snapRoot >= 0) {
            assertEquals(snapRef, contents(info, snapRoot), "snapshot contents at the end");
            checkShape(info, snapRoot, snapRef.size());
            DmArray.del(info, snapRoot);
        }
        DmArray.del(info, root);
        fx.commit();
        assertEquals(baseline, fx.freeBlocks(), "every block freed");
        assertTrue(fx.heldLocks() == 0);
    }

    /** Growing only: slots past nr_entries of the last array block are zero, as in kernel images. */
    @Property(tries = 30)
    void growingLeavesZeroTail(@ForAll("growth") List<Integer> sizes, @ForAll boolean wideValues) {
        int size = wideValues ? 8 : 4;
        TmFixture fx = TmFixture.memory(2000);
        ArrayInfo info = new ArrayInfo(fx.tm(), ValueType.plain(size));
        long root = DmArray.empty(info);
        int n = 0;
        for (int s : sizes) {
            if (s > n) {
                root = DmArray.resize(info, root, n, s, encode(0x0102030405060708L, size));
                n = s;
            }
        }
        if (n == 0) {
            return;
        }
        int max = ArrayBlock.calcMaxEntries(size, 4096);
        int last = (n - 1) / max;
        long b = ByteBuffer.wrap(BTree.lookup(info.btreeInfo(), root, last)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Block block = fx.tm().readLock(b, ArrayBlockValidator.INSTANCE);
        try {
            int nr = new ArrayBlock(block).nrEntries();
            for (int i = ArrayBlock.HEADER_SIZE + nr * size; i < 4096; i++) {
                assertEquals(0, block.data()[i], "byte " + i + " past nr_entries " + nr);
            }
        } finally {
            fx.tm().unlock(block);
        }
    }

    @Provide
    Arbitrary<List<Integer>> growth() {
        return Arbitraries.integers().between(0, 4000).list().ofMinSize(1).ofMaxSize(6);
    }
}
