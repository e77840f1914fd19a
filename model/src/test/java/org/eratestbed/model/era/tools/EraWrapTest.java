package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.FileBlockSource;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The era counter wrapped (the kernel never handles it): writesets of eras 2^32-1, 0 and 1 with current_era 1.
 * dump lists them oldest first across the wrap (as the Rust era_dump does; 0.9.0 lists ascending keys), and
 * check reports the era from "the future", as oracle 3 asks (wrap aside).
 */
class EraWrapTest {
    @TempDir
    Path dir;

    @Test
    void writesetsAreDumpedOldestFirstAcrossAWrap() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        EraDump d = new EraDump("", 128, 16, 1);
        for (long era : new long[] {0, 1, 0xFFFFFFFFL}) {
            BitSet b = new BitSet();
            b.set((int) (era % 16));
            d.addWriteset(era, 16, b);
        }
        for (long b = 0; b < 16; b++) {
            d.addEra(b, 0);
        }
        Path img = ThinTools.restore(dir, EraDumps.xml(d), 1);
        try (FileBlockSource src = FileBlockSource.open(img)) {
            EraDump mine = EraXmlParser.parse(Run.dump(src, false, false));
            assertEquals(List.of(0xFFFFFFFFL, 0L, 1L), mine.writesets().stream().map(EraDump.Writeset::era).toList());
            EraDump theirs = EraXmlParser.parse(ThinTools.run("era_dump", img.toString()).out());
            assertEquals(List.of(0L, 1L, 0xFFFFFFFFL), theirs.writesets().stream().map(EraDump.Writeset::era).toList());
            // --logical: the newest (era 1) wins for block 1, and era 0 for block 0 over 2^32-1's block 15
            long[] logical = EraDumps.eras(EraXmlParser.parse(Run.dump(src, true, false)));
            assertEquals(0xFFFFFFFFL, logical[15]);
            assertEquals(1, logical[1]);
            CheckReport r = EraCheck.check(src);
            assertFalse(r.ok());
            assertEquals(1, r.errorCount(), () -> String.join("\n", r.lines()));
            assertEquals(true, r.lines().get(0).contains("era 4294967295: era is newer than current_era 1"), r.lines().get(0));
        } finally {
            Files.deleteIfExists(img);
        }
    }
}
