package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.FileBlockSource;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlParser;

/**
 * Random era_dump XML → era_restore (thin-provisioning-tools) → our readers and theirs agree: dump is the
 * input byte for byte and equal to era_dump's; check and era_check pass; invalidate equals era_invalidate
 * byte for byte; --logical folds as the digest does (and 0.9.0's differs exactly as documented).
 */
class RoundTripProperties {
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("era-roundtrip");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @BeforeTry
    void needTools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    @Provide
    Arbitrary<EraDump> dumps() {
        return EraDumps.dumps();
    }

    @Property(tries = 20)
    void restoredImagesReadBackIdentically(@ForAll("dumps") EraDump input, @ForAll Random random) throws IOException {
        String xml = EraDumps.xml(input);
        assertEquals(input, EraXmlParser.parse(xml), "the XML parser reads the writer's output back");
        Path img = ThinTools.restore(dir, xml, 8);
        try (FileBlockSource src = FileBlockSource.open(img)) {
            String mine = Run.dump(src, false, false);
            assertEquals(xml, mine, "dump of the restored image is the input");
            assertEquals(ThinTools.run("era_dump", img.toString()).out(), mine, "dump equals era_dump byte for byte");

            CheckReport report = EraCheck.check(src);
            assertTrue(report.ok() && report.warningCount() == 0, () -> String.join("\n", report.lines()));
            ThinTools.Result theirs = ThinTools.run("era_check", img.toString());
            assertEquals(0, theirs.code(), "era_check: " + theirs.err());

            EraDump logical = EraXmlParser.parse(Run.dump(src, true, false));
            assertArrayEquals(EraDumps.logicalByDigest(input), EraDumps.eras(logical), "--logical folds as the digest");
            assertTrue(logical.writesets().isEmpty());
            EraDump theirLogical = EraXmlParser.parse(ThinTools.run("era_dump", "--logical", img.toString()).out());
            assertArrayEquals(EraDumps.logical090(input), EraDumps.eras(theirLogical),
                    "0.9.0's --logical keeps the oldest marking writeset's era");

            java.util.List<Long> thresholds = EraDumps.thresholds(input, random);
            long[] lastEras = EraInvalidate.lastEras(src, thresholds.stream().mapToLong(Long::longValue).min().orElse(0),
                    false, false);
            for (long n : thresholds) {
                ThinTools.Result inv = ThinTools.run("era_invalidate", "--written-since", Long.toString(n), img.toString());
                assertEquals(0, inv.code(), inv.err());
                assertEquals(inv.out(), Run.invalidate(src, n, false), "invalidate --written-since " + n);
                assertEquals(inv.out(), Run.listed(lastEras, n), "lastEras, from one pass, at era " + n);
            }
        } finally {
            Files.deleteIfExists(img);
        }
    }
}
