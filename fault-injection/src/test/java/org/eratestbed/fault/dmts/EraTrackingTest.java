package org.eratestbed.fault.dmts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.junit.jupiter.api.Test;

/**
 * DMTS {@code era_tracking_tests.rb} on the model.
 *
 * <p>Scaled: DMTS's origin is 1 GiB of 64 KiB era blocks, written as 16 chunks of 64 MiB (1024 era blocks)
 * with dd; here each chunk is {@value #CHUNK} era blocks of 64 KiB (the block size is DMTS's), so the origin
 * is 256 blocks. The expected {@code era_invalidate} output scales with it: DMTS's ranges 8192–9216,
 * 10240–11264, 12288–13312, 14336–15360 (since checkpoints[7]) become 128–144, 160–176, 192–208, 224–240.
 * {@code many_eras_does_not_exhaust_metadata} runs {@value #MANY_ROUNDS} rounds of 16 checkpoint+write cycles
 * instead of 100: the point is that metadata use stops growing, which shows after the first round.
 * Everything else — checkpoint before each chunk, only even chunks written, the pause after each write,
 * the order of dumps and reloads — is DMTS's.
 */
class EraTrackingTest {
    static final long CHUNK = 16;
    static final int CHUNKS = 16;
    static final int MANY_ROUNDS = 6;

    /** DMTS ERA7, scaled, in 0.9.0's era_invalidate format (which DMTS compares byte for byte). */
    static final String ERA7 = """
            <blocks>
              <range begin="128" end = "144"/>
              <range begin="160" end = "176"/>
              <range begin="192" end = "208"/>
              <range begin="224" end = "240"/>
            </blocks>
            """;
    static final String ERA13 = """
            <blocks>
              <range begin="224" end = "240"/>
            </blocks>
            """;

    static EraStack stack() {
        return new EraStack(EraStack.DMTS_BLOCK_SIZE, CHUNK * CHUNKS, 4);
    }

    /** DMTS io_load: a checkpoint before each chunk, only even chunks written; the checkpoints' eras. */
    static List<Long> ioLoad(EraStack s, boolean pauseAfterWrite) {
        List<Long> checkpoints = new ArrayList<>();
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            checkpoints.add(s.checkpoint());
            if (chunk % 2 == 0) {
                s.write(chunk * CHUNK, CHUNK);
                if (pauseAfterWrite) {
                    s.pause();
                }
            }
        }
        return checkpoints;
    }

    /** DMTS blocks_changed_since, by the model's invalidate and by era_invalidate on the same image. */
    static void assertChangedSince(byte[] image, long era, String expected) {
        assertEquals(expected, EraStack.invalidate(image, era, false), "model invalidate --written-since " + era);
        if (ThinTools.available()) {
            assertEquals(expected, ThinTools.invalidate(image, era), "era_invalidate --written-since " + era);
        }
    }

    @Test
    void wipedBlocksHaveIncreasingEras() {
        try (EraStack s = stack()) {
            s.create();
            List<Long> checkpoints = ioLoad(s, false);
            s.remove();
            for (int i = 1; i < checkpoints.size(); i++) {
                assertEquals(checkpoints.get(i - 1) + 1, checkpoints.get(i), "each checkpoint moves to a new era");
            }
            assertChangedSince(s.image(), checkpoints.get(7), ERA7);
            assertChangedSince(s.image(), checkpoints.get(13), ERA13);
            CreationTest.assertClean(s.image());
        }
    }

    /** Each pause (suspend + resume) consumes eras, yet tracking by checkpoint era is unchanged. */
    @Test
    void pausingDoesNotEffectTracking() {
        try (EraStack s = stack()) {
            s.create();
            List<Long> checkpoints = ioLoad(s, true);
            s.remove();
            for (int i = 1; i < checkpoints.size(); i++) {
                // a pause follows each even chunk's write, and its resume starts one more era
                long step = (i - 1) % 2 == 0 ? 2 : 1;
                assertEquals(checkpoints.get(i - 1) + step, checkpoints.get(i), "checkpoint " + i);
            }
            assertChangedSince(s.image(), checkpoints.get(7), ERA7);
            assertChangedSince(s.image(), checkpoints.get(13), ERA13);
            CreationTest.assertClean(s.image());
        }
    }

    @Test
    void manyErasDoesNotExhaustMetadata() {
        try (EraStack s = stack()) {
            s.create();
            long[] usedAfterRound = new long[MANY_ROUNDS];
            long maxUsed = 0;
            long total = s.status().total();
            long lastEra = s.status().era();
            for (int round = 0; round < MANY_ROUNDS; round++) {
                for (long block = 0; block < CHUNKS; block++) {
                    long c = s.checkpoint();
                    assertEquals(lastEra + 1, c);
                    lastEra = c;
                    EraStack.Status st = s.status();
                    assertEquals(total, st.total());
                    maxUsed = Math.max(maxUsed, st.used());
                    s.write(block * CHUNK, CHUNK);
                }
                usedAfterRound[round] = s.status().used();
            }
            for (int round = 1; round < MANY_ROUNDS; round++) {
                assertEquals(usedAfterRound[0], usedAfterRound[round],
                        "metadata use after round " + round + " vs round 0: digested writesets are freed");
            }
            assertTrue(maxUsed < total / 4, "peak metadata use " + maxUsed + "/" + total);
            s.remove();
            CreationTest.assertClean(s.image());
            // "just checking": it activates again on the same metadata
            s.create();
            assertEquals(lastEra + 1, s.status().era(), "the reload's resume starts the next era");
            s.remove();
            CreationTest.assertClean(s.image());
        }
    }

    @Test
    void repeatedDumpsAreIdentical() {
        try (EraStack s = stack()) {
            s.create();
            for (long block = 0; block < CHUNKS; block++) {
                s.checkpoint();
                s.write(block * CHUNK, CHUNK);
            }
            s.remove();
            byte[] image = s.image();
            assertEquals(EraStack.dumpXml(image, true, false), EraStack.dumpXml(image, true, false));
            if (ThinTools.available()) {
                assertEquals(ThinTools.dump(image, true), ThinTools.dump(image, true));
            }
        }
    }

    /**
     * DMTS compares the two logical dumps byte for byte, but the {@code <superblock>} line carries
     * current_era, and each resume between the two dumps starts a new era (reference section 1: every resume
     * consumes an era), so on a correct dm-era the line differs by exactly the resumes in between. The port
     * checks that, and that everything else — the whole era array — is identical.
     */
    static void assertSameButEra(String first, String second, long resumesBetween, String what) {
        EraDump a = org.eratestbed.model.era.tools.xml.EraXmlParser.parse(first);
        EraDump b = org.eratestbed.model.era.tools.xml.EraXmlParser.parse(second);
        assertEquals(a.currentEra() + resumesBetween, b.currentEra(), what + ": current_era");
        String era = "current_era=\"";
        assertEquals(first.replace(era + a.currentEra() + "\"", era + "E\""),
                second.replace(era + b.currentEra() + "\"", era + "E\""), what + ": all but current_era");
    }

    /** Dumps taken during two successive pauses, with no I/O between them, are equal. */
    @Test
    void dumpsDoNotChangeWithoutIo() {
        try (EraStack s = stack()) {
            s.create();
            for (long block = 0; block < CHUNKS; block++) {
                s.checkpoint();
                s.write(block * CHUNK, CHUNK);
                s.simple(org.eratestbed.fault.workload.Command.Kind.SUSPEND);
                byte[] first = s.image();
                s.simple(org.eratestbed.fault.workload.Command.Kind.RESUME);
                s.simple(org.eratestbed.fault.workload.Command.Kind.SUSPEND);
                byte[] second = s.image();
                s.simple(org.eratestbed.fault.workload.Command.Kind.RESUME);
                assertSameButEra(EraStack.dumpXml(first, true, false), EraStack.dumpXml(second, true, false), 1,
                        "after chunk " + block);
                if (ThinTools.available() && block % 5 == 0) {
                    assertSameButEra(ThinTools.dump(first, true), ThinTools.dump(second, true), 1, "after chunk " + block);
                }
            }
            s.remove();
        }
    }

    /** Wipe the device; the logical dump is the same after the remove, during a later pause, after removal. */
    @Test
    void reloadsDoNotChangeDumps() {
        try (EraStack s = stack()) {
            s.create();
            s.wipe();
            s.remove();
            String out1 = EraStack.dumpXml(s.image(), true, false);
            String tpt1 = ThinTools.available() ? ThinTools.dump(s.image(), true) : null;
            s.create();
            s.simple(org.eratestbed.fault.workload.Command.Kind.SUSPEND);
            String out2 = EraStack.dumpXml(s.image(), true, false);
            String tpt2 = ThinTools.available() ? ThinTools.dump(s.image(), true) : null;
            s.simple(org.eratestbed.fault.workload.Command.Kind.RESUME);
            s.remove();
            String out3 = EraStack.dumpXml(s.image(), true, false);
            assertSameButEra(out1, out2, 1, "remove -> create + suspend");
            assertSameButEra(out2, out3, 1, "suspend -> resume + remove");
            if (tpt1 != null) {
                assertSameButEra(tpt1, tpt2, 1, "era_dump: remove -> create + suspend");
                assertSameButEra(tpt2, ThinTools.dump(s.image(), true), 1, "era_dump: suspend -> resume + remove");
            }
        }
    }

    /**
     * DMTS wipes the device, dumps during a pause, wipes again and dumps during a second pause, and expects
     * equal logical dumps. On a correct dm-era they cannot be equal: the pause's resume starts a new era, so
     * the second wipe marks every block in that era, and a logical dump gives each block its last write's
     * era. This test keeps DMTS's steps and checks what the kernel's semantics give instead: the second
     * dump differs from the first exactly by every block moving to the second wipe's era — by the model's
     * dump (the digest's fold) and by era_dump 0.9.0's --logical. What DMTS's expectation holds for is
     * writes to already written areas within one era: those do not change the dump (checked too).
     */
    @Test
    void writesToAlreadyWrittenAreasDoNotChangeDumps() {
        try (EraStack s = stack()) {
            s.create();
            s.wipe();
            s.simple(org.eratestbed.fault.workload.Command.Kind.SUSPEND);
            byte[] first = s.image();
            s.simple(org.eratestbed.fault.workload.Command.Kind.RESUME);
            long secondEra = s.status().era();
            s.wipe();
            s.wipe(); // the same era: already marked, no change
            s.simple(org.eratestbed.fault.workload.Command.Kind.SUSPEND);
            byte[] second = s.image();
            s.simple(org.eratestbed.fault.workload.Command.Kind.RESUME);
            s.remove();

            EraDump d1 = EraStack.dump(first, true, false);
            EraDump d2 = EraStack.dump(second, true, false);
            for (int i = 0; i < d1.nrEras(); i++) {
                assertEquals(1, d1.eraValue(i), "first wipe was in era 1");
                assertEquals(secondEra, d2.eraValue(i), "second wipe's era");
            }
            assertNotEquals(EraStack.dumpXml(first, true, false), EraStack.dumpXml(second, true, false));
            if (ThinTools.available()) {
                EraDump t2 = org.eratestbed.model.era.tools.xml.EraXmlParser.parse(ThinTools.dump(second, true));
                for (int i = 0; i < t2.nrEras(); i++) {
                    assertEquals(secondEra, t2.eraValue(i), "era_dump --logical, block " + t2.eraBlock(i));
                }
            }
        }
    }
}
