package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A held snapshot whose live side has moved on by copy-on-write: the readers give the clone's view with
 * --metadata-snapshot, check counts the shared array blocks once per parent block, and 0.9.0's era_invalidate
 * --metadata-snapshot gives the live view instead (the documented difference).
 */
class SnapshotTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needTools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    @Test
    void theSnapshotViewIsTheClonesAndZeroNineZeroReadsTheLiveOne() throws IOException {
        ImageEdit e = new ImageEdit(Images.medium());
        e.takeSnapshot();
        // live side: block 1500 written in era 9 and digested (the clone still says its old era, < 6)
        e.cowEraArrayValue(1500, 9);
        CheckReport r = EraCheck.check(new ByteArrayBlockSource(e.img));
        assertTrue(r.ok(), () -> String.join("\n", r.lines()));

        ByteArrayBlockSource src = new ByteArrayBlockSource(e.img);
        String live = Run.invalidate(src, 9, false);
        String snap = Run.invalidate(src, 9, true);
        assertEquals("<blocks>\n  <block block=\"1500\"/>\n</blocks>\n", live);
        assertEquals("<blocks>\n</blocks>\n", snap);
        assertNotEquals(Run.dump(src, false, false), Run.dump(src, false, true));

        Path img = dir.resolve("snap.img");
        Files.write(img, e.img);
        ThinTools.Result theirs = ThinTools.run("era_invalidate", "--written-since", "9", "--metadata-snapshot", img.toString());
        assertEquals(0, theirs.code(), theirs.err());
        assertEquals(live, theirs.out(), "0.9.0 reads the live superblock even with --metadata-snapshot");
        assertEquals(0, ThinTools.run("era_check", img.toString()).code());
    }

    @Test
    void aSharedBlockCountedOnlyOnceIsReported() {
        ImageEdit e = new ImageEdit(Images.medium());
        e.takeSnapshot();
        e.cowEraArrayValue(1500, 9);
        long liveLeaf = e.u64(0, org.eratestbed.model.era.tools.disk.DiskFormat.SB_ERA_ARRAY_ROOT);
        long shared = e.u64(liveLeaf, org.eratestbed.model.era.tools.disk.DiskFormat.NODE_HEADER_SIZE
                + 8 * (int) e.u32(liveLeaf, org.eratestbed.model.era.tools.disk.DiskFormat.NODE_MAX_ENTRIES));
        e.smSet(shared, 1);
        CorruptionTest.assertReported(e.img, "block " + shared + ":", "space map count 1, expected 2");
    }
}
