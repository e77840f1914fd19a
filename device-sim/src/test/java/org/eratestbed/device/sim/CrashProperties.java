package org.eratestbed.device.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.fault.FaultPlan;

/** What every crash state must satisfy, over random runs of a small queued disk. */
class CrashProperties {
    private static final int S = BlockDevice.SECTOR_SIZE;

    @Property(tries = 150)
    void afterAFlushEveryEarlierCompletedWriteSurvives(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int before,
            @ForAll @IntRange(min = 0, max = 12) int after) {
        Scenario sc = Scenario.run(seed, before, FaultPlan.NONE);
        SimDisk d = sc.disk;
        d.completeAll();
        Bio flush = Bio.flush(null);
        d.submit(flush);
        d.complete(flush);
        PageImage afterFlush = d.image();
        long flushSeq = d.log().size() - 1;
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eed);
        for (int i = 0; i < after; i++) {
            d.submit(Scenario.randomBio(rnd, 1000 + i));
            if (rnd.nextBoolean()) {
                d.completeRandom(rnd);
            }
        }
        BitSet touchedLater = new BitSet();
        for (IoRecord r : d.log().records()) {
            if (r.seq() > flushSeq && r.isWrite()) {
                touchedLater.set((int) r.landedSector(), (int) (r.landedSector() + r.sectors()));
            }
        }
        byte[] want = new byte[S];
        byte[] got = new byte[S];
        for (CrashState st : d.crash().select(seed, 200)) {
            for (int s = 0; s < Scenario.SIZE; s++) {
                if (!touchedLater.get(s)) {
                    afterFlush.read(s, want, 0, 1);
                    st.read(s, got, 0, 1);
                    final int sector = s;
                    assertArrayEquals(want, got, () -> "sector " + sector + " in " + st.describe());
                }
            }
        }
    }

    @Property(tries = 150)
    void aCompletedFuaWriteSurvives(@ForAll long seed, @ForAll @IntRange(min = 0, max = 25) int before,
            @ForAll @IntRange(min = 0, max = 12) int after, @ForAll @IntRange(min = 0, max = 56) int sector) {
        Scenario sc = Scenario.run(seed, before, FaultPlan.NONE);
        SimDisk d = sc.disk;
        byte[] data = Scenario.pattern(999, 8);
        Bio fua = Bio.write(sector, data, true, null);
        d.submit(fua);
        d.complete(fua);
        IoRecord w = d.log().get(d.log().size() - 1);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0xf0a);
        for (int i = 0; i < after; i++) {
            d.submit(Scenario.randomBio(rnd, 2000 + i));
            if (rnd.nextBoolean()) {
                d.completeRandom(rnd);
            }
        }
        // Only a write that completed after the FUA write, or is still in flight, may change its sectors.
        BitSet later = new BitSet();
        for (IoRecord r : d.log().records()) {
            if (r.isWrite() && r.seq() != w.seq() && (!r.isCompleted() || r.completeTick() > w.completeTick())) {
                later.set((int) r.landedSector(), (int) (r.landedSector() + r.sectors()));
            }
        }
        byte[] got = new byte[S];
        for (CrashState st : d.crash().select(seed, 200)) {
            for (int k = 0; k < 8; k++) {
                if (!later.get(sector + k)) {
                    st.read(sector + k, got, 0, 1);
                    final int lost = sector + k;
                    assertArrayEquals(Arrays.copyOfRange(data, k * S, (k + 1) * S), got,
                            () -> "FUA sector " + lost + " lost in " + st.describe());
                }
            }
        }
    }

    @Property(tries = 150)
    void noCrashStateHoldsDataThatWasNeverWritten(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ops) {
        Scenario sc = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        List<IoRecord> writes = sc.writes();
        byte[] got = new byte[S];
        for (CrashState st : sc.disk.crash().select(seed, 200)) {
            for (int s = 0; s < Scenario.SIZE; s++) {
                st.read(s, got, 0, 1);
                if (PageImage.isZero(got, 0, S)) {
                    continue;
                }
                boolean known = false;
                for (IoRecord r : writes) {
                    if (r.op() == BioOp.WRITE && s >= r.landedSector() && s < r.landedSector() + r.sectors()) {
                        int off = (int) (s - r.landedSector()) * S;
                        known |= Arrays.equals(got, 0, S, r.data(), off, off + S);
                    }
                }
                final int sector = s;
                assertTrue(known, () -> "sector " + sector + " holds data no write put there, in " + st.describe());
            }
        }
    }

    /**
     * The count, computed independently: on an immediate disk every write completes before the next request,
     * so a FLUSH or PREFLUSH makes everything before it durable, a FUA write supersedes the sectors of the
     * volatile writes before it, and the space has 2^(sum over volatile writes of their atomic groups) states.
     */
    @Property(tries = 200)
    void exhaustiveEnumerationCountIsTheCombinatorialCount(@ForAll long seed, @ForAll @IntRange(min = 0, max = 10) int ops,
            @ForAll("atomics") int atomic) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SimDisk d = new SimDisk(Scenario.SIZE);
        List<BitSet> live = new ArrayList<>();
        List<Boolean> discard = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            Bio bio = Scenario.randomBio(rnd, i);
            d.submit(bio);
            if (bio.op() == BioOp.FLUSH || bio.preflush()) {
                live.clear();
                discard.clear();
            }
            if (!bio.isWrite()) {
                continue;
            }
            BitSet range = new BitSet();
            range.set((int) bio.sector(), (int) bio.sector() + bio.sectors());
            if (bio.fua()) {
                for (int k = live.size() - 1; k >= 0; k--) {
                    live.get(k).andNot(range);
                    if (live.get(k).isEmpty()) {
                        live.remove(k);
                        discard.remove(k);
                    }
                }
            } else {
                live.add(range);
                discard.add(bio.op() == BioOp.DISCARD);
            }
        }
        int units = 0;
        for (int k = 0; k < live.size(); k++) {
            if (discard.get(k) || atomic == CrashSpace.WHOLE_WRITES) {
                units++;
            } else {
                units += (int) live.get(k).stream().map(s -> s / atomic).distinct().count();
            }
        }
        BigInteger expected = BigInteger.TWO.pow(units);
        CrashSpace space = d.crash(atomic);
        assertEquals(expected, space.count());
        CrashSelection sel = space.select(seed);
        if (expected.compareTo(BigInteger.valueOf(CrashSpace.EXHAUSTIVE_LIMIT)) <= 0) {
            assertTrue(sel.exhaustive());
            long i = 0;
            for (CrashState st : sel) {
                assertEquals(BigInteger.valueOf(i++), st.index());
            }
            assertEquals(expected.longValueExact(), i);
            assertEquals(i, sel.produced());
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> atomics() {
        return net.jqwik.api.Arbitraries.of(1, 2, 8, CrashSpace.WHOLE_WRITES);
    }

    @Property(tries = 100)
    void sameSeedSameLogFaultsAndStates(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ops) {
        Scenario a = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        Scenario b = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        assertEquals(a.disk.log(), b.disk.log());
        assertEquals(a.disk.faultEvents(), b.disk.faultEvents());
        assertEquals(hashes(a.disk.crash().select(seed, 64)), hashes(b.disk.crash().select(seed, 64)));
    }

    @Property(tries = 100)
    void crashStatesFromTheLogAloneAreTheLiveDisksStates(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ops,
            @ForAll @IntRange(min = 0, max = 80) int cut) {
        Scenario full = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        CrashSpace live = full.disk.crash();
        CrashSpace logged = CrashSpace.fromLog(full.disk.log());
        assertEquals(live.count(), logged.count());
        assertEquals(hashes(live.select(seed, 64)), hashes(logged.select(seed, 64)));
        // A crash earlier in the same run: the log cut at that tick gives the states of a disk stopped there.
        Scenario stopped = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE), cut);
        CrashSpace atCut = CrashSpace.fromLog(full.disk.log().before(stopped.disk.log().endTick()));
        assertEquals(stopped.disk.crash().count(), atCut.count());
        assertEquals(hashes(stopped.disk.crash().select(seed, 64)), hashes(atCut.select(seed, 64)));
    }

    @Property(tries = 100)
    void aStatesHashReadsAndDiskAgree(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ops) {
        Scenario sc = Scenario.run(seed, ops, FaultPlan.NONE);
        int n = 0;
        for (CrashState st : sc.disk.crash().select(seed, 16)) {
            PageImage img = st.materialize();
            assertEquals(img.contentHash(), st.contentHash());
            SimDisk reopened = st.toDisk();
            assertEquals(st.contentHash(), reopened.contentHash());
            assertEquals(st.contentHash(), reopened.durableImage().contentHash());
            byte[] viaBio = new byte[(int) Scenario.SIZE * S];
            st.submit(Bio.read(0, viaBio, null));
            byte[] direct = new byte[viaBio.length];
            img.read(0, direct, 0, (int) Scenario.SIZE);
            assertArrayEquals(direct, viaBio);
            n++;
        }
        assertTrue(n > 0);
    }

    @Property(tries = 100)
    void keepingEveryWriteGivesWhatReadsSeeAndKeepingNoneTheDurableImage(@ForAll long seed,
            @ForAll @IntRange(min = 0, max = 40) int ops) {
        Scenario sc = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        sc.disk.completeAll();
        CrashSpace space = sc.disk.crash();
        assertEquals(sc.disk.contentHash(), space.allKept().contentHash());
        assertTrue(space.allKept().materialize().sameContent(sc.disk.image()));
        assertTrue(space.noneKept().materialize().sameContent(sc.disk.durableImage()));
    }

    @Property(tries = 40)
    void distinctHashesForDistinctContent(@ForAll long seed) {
        // States that differ in content must differ in hash (over the small spaces seen here).
        Scenario sc = Scenario.run(seed, 12, FaultPlan.NONE);
        Set<ContentHash> hashes = new HashSet<>();
        Set<String> contents = new HashSet<>();
        for (CrashState st : sc.disk.crash().select(seed, 64)) {
            byte[] all = new byte[(int) Scenario.SIZE * S];
            st.read(0, all, 0, (int) Scenario.SIZE);
            if (contents.add(Arrays.toString(SimDisk.sha256(all)))) {
                assertTrue(hashes.add(st.contentHash()), () -> "hash collision for " + st.describe());
            }
        }
    }

    static List<ContentHash> hashes(Iterable<CrashState> states) {
        List<ContentHash> out = new ArrayList<>();
        for (CrashState st : states) {
            out.add(st.contentHash());
        }
        return out;
    }
}
