package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.FileBlockSource;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After the origin shrank from 100 to 60 blocks, an undigested writeset still has nr_bits 100 (the kernel
 * digests only min(nr_bits, nr_blocks) bits). check warns but passes; dump shows all 100 bits; invalidate
 * lists only real blocks, where 0.9.0's era_invalidate also lists the marks past the end.
 */
class ShrunkOriginTest {
    @TempDir
    Path dir;

    @Test
    void writesetsLongerThanTheOriginAreAWarningAndClampedByInvalidate() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        EraDump d = new EraDump("", 128, 60, 4);
        BitSet b = new BitSet();
        b.set(10);
        b.set(80, 83);
        d.addWriteset(3, 100, b);
        for (long i = 0; i < 60; i++) {
            d.addEra(i, 0);
        }
        Path img = ThinTools.restore(dir, EraDumps.xml(d), 1);
        try (FileBlockSource src = FileBlockSource.open(img)) {
            CheckReport r = EraCheck.check(src);
            assertTrue(r.ok(), () -> String.join("\n", r.lines()));
            assertEquals(1, r.warningCount());
            assertTrue(r.lines().get(0).startsWith("warning: block ") && r.lines().get(0).contains("nr_bits 100 exceeds"),
                    r.lines().get(0));
            assertEquals(EraDumps.xml(d), Run.dump(src, false, false));
            assertEquals("<blocks>\n  <block block=\"10\"/>\n</blocks>\n", Run.invalidate(src, 3, false));
            assertEquals("<blocks>\n  <block block=\"10\"/>\n  <range begin=\"80\" end = \"83\"/>\n</blocks>\n",
                    ThinTools.run("era_invalidate", "--written-since", "3", img.toString()).out());
        } finally {
            Files.deleteIfExists(img);
        }
    }
}
