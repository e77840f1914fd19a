package org.eratestbed.model.pdata.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

class BTreeProperties {

    enum Kind { INSERT, REMOVE, LOOKUP, COMMIT }

    record Op(Kind kind, long key, int id) {
    }

    /** Keys inserted before the random operations, so trees of several levels and shapes take part. */
    record Prefill(int count, int pattern, long seed) {
        long apply(BTreeInfo info, CountingValues values, long root, TreeMap<Long, byte[]> ref,
                   TreeMap<Long, Integer> refIds) {
            java.util.Random rnd = new java.util.Random(seed);
            for (int i = 0; i < count; i++) {
                long key = switch (pattern) {
                    case 0 -> i;                       // ascending: split one into two at the right edge
                    case 1 -> 100_000 - i;             // descending: lowest-key updates of internal nodes
                    default -> rnd.nextInt(20_000);    // random: rebalances and two-into-three splits
                };
                int id = 2_000_000 + i;
                if (!ref.containsKey(key)) {
                    values.take(id);
                    root = BTree.insert(info, root, key, values.value(id));
                    ref.put(key, values.value(id));
                    refIds.put(key, id);
                }
            }
            return root;
        }
    }

    @Provide
    Arbitrary<Prefill> prefills() {
        return Combinators.combine(Arbitraries.integers().between(0, 4000), Arbitraries.integers().between(0, 2),
                Arbitraries.longs()).as(Prefill::new);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.INSERT)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.REMOVE)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.LOOKUP)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.COMMIT)));
        Arbitrary<Long> keys = Arbitraries.oneOf(Arbitraries.longs().between(0, 4000),
                Arbitraries.longs().between(0, 40), Arbitraries.longs().between(95_000, 100_000),
                Arbitraries.longs().between(0, 20_000));
        Arbitrary<Integer> ids = Arbitraries.integers().between(1, 1 << 20);
        return Combinators.combine(kinds, keys, ids).as(Op::new).list().ofMinSize(1).ofMaxSize(1200);
    }

    /**
     * Random inserts, removes and lookups agree with a TreeMap; after every operation the tree has a legal
     * shape and no lock is held; the value type sees one reference per stored value. Removing an absent key
     * fails with ENODATA (checked only while every node is a shadow of this transaction; see
     * BTreeLayoutTest for the committed case).
     */
    @Property(tries = 40)
    void agreesWithTreeMap(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int sizeIndex,
                           @ForAll("prefills") Prefill prefill, @ForAll boolean realTm) {
        int valueSize = new int[] {4, 8, 12}[sizeIndex];
        TmFixture fx = TmFixture.of(realTm, 4000);
        long baseline = fx.freeBlocks();
        org.eratestbed.model.pdata.tm.TransactionManager tm = fx.tm();
        CountingValues values = new CountingValues(valueSize);
        BTreeInfo info = BTreeInfo.singleLevel(tm, values.type());
        long root = BTree.empty(info);
        TreeMap<Long, byte[]> ref = new TreeMap<>();
        TreeMap<Long, Integer> refIds = new TreeMap<>();
        root = prefill.apply(info, values, root, ref, refIds);
        boolean committed = false;
        int step = 0;
        for (Op op : ops) {
            step++;
            switch (op.kind()) {
                case INSERT -> {
                    Integer old = refIds.get(op.key());
                    if (old == null || old != op.id()) {
                        values.take(op.id());
                    }
                    BTree.InsertResult r = BTree.insertNotify(info, root, op.key(), values.value(op.id()));
                    assertEquals(old == null, r.inserted(), "inserted flag");
                    root = r.newRoot();
                    ref.put(op.key(), values.value(op.id()));
                    refIds.put(op.key(), op.id());
                }
                case REMOVE -> {
                    if (ref.containsKey(op.key())) {
                        root = BTree.remove(info, root, op.key());
                        ref.remove(op.key());
                        refIds.remove(op.key());
                    } else if (!committed) {
                        long before = root;
                        MetadataException e = assertThrows(MetadataException.class,
                                () -> BTree.remove(info, before, op.key()));
                        assertEquals(Errno.ENODATA, e.errno());
                    }
                }
                case LOOKUP -> {
                    if (ref.containsKey(op.key())) {
                        assertArrayEquals(ref.get(op.key()), BTree.lookup(info, root, op.key()));
                    } else {
                        long r = root;
                        MetadataException e = assertThrows(MetadataException.class,
                                () -> BTree.lookup(info, r, op.key()));
                        assertEquals(Errno.ENODATA, e.errno());
                    }
                }
                case COMMIT -> {
                    fx.commit();
                    committed = true;
                }
            }
            assertEquals(0, fx.heldLocks(), "locks held after step " + step + " " + op);
            if (step % 50 == 0) {
                TreeChecker.check(info, root, ref);
            }
        }
        TreeChecker.check(info, root, ref);
        net.jqwik.api.statistics.Statistics.collect("height " + TreeChecker.height(info, root));
        for (Map.Entry<Long, Integer> e : refIds.entrySet()) {
            assertTrue(values.count(e.getValue()) >= 1, "value " + e.getValue() + " lost its reference");
        }
        BTree.del(info, root);
        assertEquals(0, fx.heldLocks());
        fx.commit();
        assertEquals(baseline, fx.freeBlocks(), "del must free every block of the tree");
        assertEquals(Map.of(), values.liveCounts(), "del must drop every value reference");
    }

    /**
     * Copy-on-write: at every commit the root is kept as a snapshot (its count incremented, as dm-era does
     * for a metadata snapshot); later transactions copy shared nodes (inc_children) instead of writing them.
     * Every snapshot still reads as it was, and deleting all of them and the live tree returns every block
     * and every value reference.
     */
    @Property(tries = 25)
    void snapshotsSurviveLaterTransactions(@ForAll("ops") List<Op> ops,
                                           @ForAll @IntRange(min = 0, max = 2) int sizeIndex,
                                           @ForAll("prefills") Prefill prefill, @ForAll boolean realTm) {
        int valueSize = new int[] {4, 8, 12}[sizeIndex];
        TmFixture fx = TmFixture.of(realTm, 20000);
        long baseline = fx.freeBlocks();
        org.eratestbed.model.pdata.tm.TransactionManager tm = fx.tm();
        // The real space map keeps counts above 2 in its ref-count btree: hold one snapshot at a time there
        // (as dm-era's metadata snapshot), several with the memory tm.
        int maxSnaps = realTm ? 1 : 6;
        CountingValues values = new CountingValues(valueSize);
        BTreeInfo info = BTreeInfo.singleLevel(tm, values.type());
        long root = BTree.empty(info);
        TreeMap<Long, byte[]> ref = new TreeMap<>();
        TreeMap<Long, Integer> refIds = new TreeMap<>();
        root = prefill.apply(info, values, root, ref, refIds);
        List<Long> snapRoots = new ArrayList<>();
        List<TreeMap<Long, byte[]>> snapMaps = new ArrayList<>();
        for (Op op : ops) {
            switch (op.kind()) {
                case INSERT -> {
                    Integer old = refIds.get(op.key());
                    if (old == null || old != op.id()) {
                        values.take(op.id());
                    }
                    root = BTree.insert(info, root, op.key(), values.value(op.id()));
                    ref.put(op.key(), values.value(op.id()));
                    refIds.put(op.key(), op.id());
                }
                case REMOVE -> {
                    if (ref.containsKey(op.key())) {
                        root = BTree.remove(info, root, op.key());
                        ref.remove(op.key());
                        refIds.remove(op.key());
                    }
                }
                case LOOKUP -> {
                    if (ref.containsKey(op.key())) {
                        assertArrayEquals(ref.get(op.key()), BTree.lookup(info, root, op.key()));
                    }
                }
                case COMMIT -> {
                    if (snapRoots.size() == maxSnaps && maxSnaps == 1) {
                        TreeChecker.check(info, snapRoots.get(0), snapMaps.get(0));
                        BTree.del(info, snapRoots.remove(0));
                        snapMaps.remove(0);
                    }
                    if (snapRoots.size() < maxSnaps) {
                        tm.inc(root);
                        snapRoots.add(root);
                        snapMaps.add(new TreeMap<>(ref));
                    }
                    fx.commit();
                }
            }
            assertEquals(0, fx.heldLocks());
        }
        TreeChecker.check(info, root, ref);
        for (int i = 0; i < snapRoots.size(); i++) {
            TreeChecker.check(info, snapRoots.get(i), snapMaps.get(i));
        }
        for (long snap : snapRoots) {
            BTree.del(info, snap);
        }
        BTree.del(info, root);
        assertEquals(0, fx.heldLocks());
        fx.commit();
        assertEquals(baseline, fx.freeBlocks(), "every block freed");
        assertEquals(Map.of(), values.liveCounts(), "every value reference dropped");
    }
}
