package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.eratestbed.model.era.tools.disk.DiskFormat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Damage of every kind in every block type is reported by check with a precise line; readers fail cleanly. */
class CorruptionTest {
    @BeforeEach
    void needTools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    static CheckReport check(byte[] img) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> EraCheck.check(new ByteArrayBlockSource(img)));
    }

    static void assertReported(byte[] img, String blockPrefix, String... fragments) {
        CheckReport r = check(img);
        String all = String.join("\n", r.lines());
        assertFalse(r.ok(), "damage not reported; expected " + blockPrefix);
        boolean found = r.lines().stream().anyMatch(l -> l.startsWith(blockPrefix)
                && java.util.Arrays.stream(fragments).allMatch(l::contains));
        assertTrue(found, "no line starting '" + blockPrefix + "' containing " + java.util.List.of(fragments) + ":\n" + all);
    }

    @Test
    void baseImagesAreClean() {
        for (byte[] img : new byte[][] {Images.medium(), Images.twoLevelEraArray(), Images.twoLevelWritesetTree()}) {
            CheckReport r = check(img);
            assertTrue(r.ok() && r.warningCount() == 0, () -> String.join("\n", r.lines()));
        }
    }

    /** Every block in use, of every type, with one bit flipped anywhere in it. */
    @Test
    void aFlippedBitInAnyBlockInUseIsReportedAtThatBlock() {
        Random rnd = new Random(7);
        Set<BlockType> seen = EnumSet.noneOf(BlockType.class);
        for (byte[] base : new byte[][] {Images.medium(), Images.twoLevelWritesetTree()}) {
            ImageEdit e = new ImageEdit(base);
            java.util.Map<BlockType, Integer> perType = new java.util.EnumMap<>(BlockType.class);
            for (long b = 0; b < e.nrBlocks(); b++) {
                BlockType t = e.type(b);
                // at most 12 blocks of a type per image keep this quick; both images together cover all types
                if (t == null || e.smEntry(b) == 0 || perType.merge(t, 1, Integer::sum) > 12) {
                    continue;
                }
                seen.add(t);
                byte[] img = base.clone();
                int bit = rnd.nextInt(BLOCK_SIZE * 8);
                img[(int) (b * BLOCK_SIZE) + bit / 8] ^= (byte) (1 << (bit % 8));
                assertReported(img, "block " + b + ":");
            }
        }
        assertEquals(EnumSet.allOf(BlockType.class), seen, "every block type was damaged once at least");
    }

    @Test
    void aWrongBlockNumberIsReported() {
        byte[] base = Images.medium();
        ImageEdit e = new ImageEdit(base);
        for (long b = 0; b < e.nrBlocks(); b++) {
            BlockType t = e.type(b);
            if (t == null || e.smEntry(b) == 0) {
                continue;
            }
            ImageEdit x = new ImageEdit(base.clone());
            x.put64(b, t == BlockType.ARRAY_BLOCK ? AB_BLOCKNR : NODE_BLOCKNR, b + 1000);
            x.fix(b, t);
            assertReported(x.img, "block " + b + ":", "blocknr field is " + (b + 1000), "expected " + b);
        }
    }

    @Test
    void truncatedImagesAreReported() {
        byte[] base = Images.medium();
        ImageEdit e = new ImageEdit(base);
        long lastUsed = 0;
        for (long b = 0; b < e.nrBlocks(); b++) {
            if (e.smEntry(b) != 0) {
                lastUsed = b;
            }
        }
        assertNotNull(check(new byte[0]).notEraImage());
        assertNotNull(check(new byte[100]).notEraImage());
        for (long keep : new long[] {1, lastUsed / 2, lastUsed}) {
            byte[] img = java.util.Arrays.copyOf(base, (int) (keep * BLOCK_SIZE));
            assertReported(img, "block ", "past the end of the image");
            assertReported(img, "block 0: superblock:", "space map covers");
            assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(img), false, false));
        }
    }

    private static long child(ImageEdit e, long node, int i) {
        long max = e.u32(node, NODE_MAX_ENTRIES);
        return e.u64(node, NODE_HEADER_SIZE + 8 * (int) max + 8 * i);
    }

    private static void setChild(ImageEdit e, long node, int i, long to) {
        long max = e.u32(node, NODE_MAX_ENTRIES);
        e.put64(node, NODE_HEADER_SIZE + 8 * (int) max + 8 * i, to);
        e.fix(node, BlockType.BTREE_NODE);
    }

    @Test
    void aChildPointingAtAnAncestorIsACycleNotAHang() {
        ImageEdit e = new ImageEdit(Images.twoLevelEraArray());
        long root = e.u64(0, SB_ERA_ARRAY_ROOT);
        assertEquals(INTERNAL_NODE, e.u32(root, NODE_FLAGS), "the era array's index root is internal");
        setChild(e, root, 1, root);
        assertReported(e.img, "block " + root + ":", "reached twice");
        assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(e.img), false, false));
        assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(e.img), true, false));
        assertThrows(MetadataException.class, () -> Run.invalidate(new ByteArrayBlockSource(e.img), 1, false));
    }

    @Test
    void aNodeSharedInsideOneTreeIsReported() {
        ImageEdit e = new ImageEdit(Images.twoLevelWritesetTree());
        long root = e.u64(0, SB_WRITESET_TREE_ROOT);
        assertEquals(INTERNAL_NODE, e.u32(root, NODE_FLAGS));
        long first = child(e, root, 0);
        setChild(e, root, 1, first);
        // the second leaf's keys lie outside the first slot's key range, or it is met twice
        assertReported(e.img, "block " + first + ":", "writeset tree");
        assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(e.img), false, false));
    }

    @Test
    void eraValuesAndWritesetErasNewerThanTheCurrentEraAreReported() {
        ImageEdit e = new ImageEdit(Images.medium());
        long root = e.u64(0, SB_ERA_ARRAY_ROOT);
        long ab = child(e, root, 1);
        e.put32(ab, AB_HEADER_SIZE + 4 * 5, 10);
        e.fix(ab, BlockType.ARRAY_BLOCK);
        assertReported(e.img, "block " + ab + ":", "above current_era 9", "origin block 1023 has era 10");

        ImageEdit w = new ImageEdit(Images.medium());
        long wsRoot = w.u64(0, SB_WRITESET_TREE_ROOT);
        assertEquals(3, w.u32(wsRoot, NODE_NR_ENTRIES));
        w.put64(wsRoot, NODE_HEADER_SIZE + 16, 12);
        w.fix(wsRoot, BlockType.BTREE_NODE);
        assertReported(w.img, "block " + wsRoot + ":", "era 12", "newer than current_era 9");
    }

    @Test
    void bitsPastNrBitsAreReported() {
        ImageEdit e = new ImageEdit(Images.medium());
        long wsRoot = e.u64(0, SB_WRITESET_TREE_ROOT);
        long max = e.u32(wsRoot, NODE_MAX_ENTRIES);
        long bitset = e.u64(wsRoot, NODE_HEADER_SIZE + 8 * (int) max + 4);
        long ab = child(e, bitset, 0);
        int lastWord = 2000 / 64;
        e.put64(ab, AB_HEADER_SIZE + 8 * lastWord, e.u64(ab, AB_HEADER_SIZE + 8 * lastWord) | 1L << 63);
        e.fix(ab, BlockType.ARRAY_BLOCK);
        assertReported(e.img, "block " + ab + ":", "bits set past nr_bits 2000");
    }

    @Test
    void wrongReferenceCountsAndLeaksAreReported() {
        byte[] base = Images.medium();
        long eraRoot = new ImageEdit(base).u64(0, SB_ERA_ARRAY_ROOT);

        ImageEdit twice = new ImageEdit(base.clone());
        twice.smSet(eraRoot, 2);
        assertReported(twice.img, "block " + eraRoot + ":", "space map count 2, expected 1");

        ImageEdit free = new ImageEdit(base.clone());
        free.smSet(eraRoot, 0);
        assertReported(free.img, "block " + eraRoot + ":", "free in the space map");

        ImageEdit leak = new ImageEdit(base.clone());
        long f = leak.firstFree();
        leak.smSet(f, 1);
        leak.smSet(f + 1, 1);
        assertReported(leak.img, "blocks " + f + "-" + (f + 1) + ":", "leaked");

        ImageEdit nrFree = new ImageEdit(base.clone());
        long index = nrFree.indexBlock();
        nrFree.put32(index, INDEX_ENTRIES_OFFSET + 8, nrFree.u32(index, INDEX_ENTRIES_OFFSET + 8) + 1);
        nrFree.fix(index, BlockType.SM_INDEX);
        // A stale nr_free is a warning: the kernel's own format leaves one behind (see SpaceMapCheck).
        CheckReport stale = check(nrFree.img);
        assertTrue(stale.ok(), () -> String.join("\n", stale.lines()));
        assertTrue(stale.lines().stream().anyMatch(l -> l.startsWith("warning: block " + index + ":") && l.contains("nr_free")),
                () -> String.join("\n", stale.lines()));

        ImageEdit allocated = new ImageEdit(base.clone());
        allocated.put64(0, SB_SM_ROOT + SMR_NR_ALLOCATED, allocated.u64(0, SB_SM_ROOT + SMR_NR_ALLOCATED) + 1);
        allocated.fix(0, BlockType.ERA_SUPERBLOCK);
        assertReported(allocated.img, "block 0: superblock:", "nr_allocated");
    }

    @Test
    void superblockFieldsAreChecked() {
        byte[] base = Images.medium();
        ImageEdit v = new ImageEdit(base.clone());
        v.put32(0, SB_VERSION, 2);
        v.fix(0, BlockType.ERA_SUPERBLOCK);
        assertReported(v.img, "block 0: superblock:", "version 2, expected 1");
        assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(v.img), false, false));

        ImageEdit m = new ImageEdit(base.clone());
        m.put32(0, SB_METADATA_BLOCK_SIZE, 16);
        m.put32(0, SB_DATA_BLOCK_SIZE, 7);
        m.fix(0, BlockType.ERA_SUPERBLOCK);
        assertReported(m.img, "block 0: superblock:", "metadata_block_size 16, expected 8");
        assertReported(m.img, "block 0: superblock:", "data_block_size 7");

        ImageEdit magic = new ImageEdit(base.clone());
        magic.put64(0, SB_MAGIC, SUPERBLOCK_MAGIC ^ 4);
        assertReported(magic.img, "block 0: superblock:", "magic");

        ImageEdit other = new ImageEdit(base.clone());
        other.put64(0, SB_MAGIC, 0x123456789abcdefL);
        assertNotNull(check(other.img).notEraImage());
        assertNotNull(check(new byte[BLOCK_SIZE * 2]).notEraImage(), "an all-zero block 0 is unformatted");
    }

    /** A held snapshot: counted, checked, dumped and listed from the clone's own trees. */
    @Test
    void aMetadataSnapshotIsCountedAndReadFromTheClone() {
        ImageEdit e = new ImageEdit(Images.medium());
        String liveDump = Run.dump(new ByteArrayBlockSource(e.img), false, false);
        long clone = e.takeSnapshot();
        CheckReport r = check(e.img);
        assertTrue(r.ok(), () -> String.join("\n", r.lines()));
        assertTrue(r.summary().contains("metadata snapshot at block " + clone), r.summary());

        // the live side moves on: a new era; the snapshot keeps the old one
        e.put32(0, SB_CURRENT_ERA, 10);
        e.fix(0, BlockType.ERA_SUPERBLOCK);
        ByteArrayBlockSource src = new ByteArrayBlockSource(e.img);
        assertEquals(liveDump, Run.dump(src, false, true));
        assertEquals(liveDump.replace("current_era=\"9\"", "current_era=\"10\""), Run.dump(src, false, false));
        assertEquals(Run.invalidate(src, 6, false), Run.invalidate(src, 6, true));

        ImageEdit uncounted = new ImageEdit(e.img.clone());
        long wsRoot = uncounted.u64(0, SB_WRITESET_TREE_ROOT);
        uncounted.smSet(wsRoot, 1);
        assertReported(uncounted.img, "block " + wsRoot + ":", "space map count 1, expected 2");

        ImageEdit noSnap = new ImageEdit(Images.medium());
        assertThrows(MetadataException.class, () -> Run.dump(new ByteArrayBlockSource(noSnap.img), false, true));
        assertThrows(MetadataException.class, () -> Run.invalidate(new ByteArrayBlockSource(noSnap.img), 0, true));
    }

    /**
     * A crash image: the superblock's current writeset holds era 9's marks. dump shows it as the newest
     * writeset; invalidate, like era_invalidate, ignores it unless asked; check counts it.
     */
    @Test
    void theSuperblocksCurrentWritesetIsCheckedAndDumped() {
        ImageEdit e = new ImageEdit(Images.medium());
        e.copyFirstWritesetAsCurrent();
        CheckReport r = check(e.img);
        assertTrue(r.ok(), () -> String.join("\n", r.lines()));

        ByteArrayBlockSource src = new ByteArrayBlockSource(e.img);
        var dump = org.eratestbed.model.era.tools.xml.EraXmlParser.parse(Run.dump(src, false, false));
        assertEquals(java.util.List.of(4L, 6L, 8L, 9L), dump.writesets().stream().map(w -> w.era()).toList());
        assertEquals(dump.writesets().get(0).marked(), dump.writesets().get(3).marked());
        assertEquals("<blocks>\n</blocks>\n", Run.invalidate(src, 9, false), "era_invalidate ignores the current writeset");
        java.io.StringWriter w = new java.io.StringWriter();
        EraInvalidate.invalidate(src, 9, false, true, new org.eratestbed.model.era.tools.xml.InvalidateXml.RunWriter(w));
        assertFalse(w.toString().equals("<blocks>\n</blocks>\n"));

        ImageEdit dup = new ImageEdit(e.img.clone());
        dup.put32(0, SB_CURRENT_ERA, 8);
        dup.fix(0, BlockType.ERA_SUPERBLOCK);
        assertReported(dup.img, "block 0: superblock:", "duplicates the writeset tree's entry");
    }
}
