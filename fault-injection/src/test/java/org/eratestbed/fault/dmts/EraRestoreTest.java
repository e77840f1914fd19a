package org.eratestbed.fault.dmts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DMTS {@code era_restore_tests.rb} ({@code dump_and_restore_metadata}) on the model: the io pattern, the
 * expected {@code era_invalidate} results, {@code era_dump} → {@code era_restore} into a fresh metadata
 * device, the same results from the restored metadata, then the target reactivated on the restored metadata
 * keeps tracking. Scaled as {@link EraTrackingTest} (16 chunks of 16 era blocks of 64 KiB).
 */
class EraRestoreTest {
    @BeforeEach
    void tools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    @Test
    void dumpAndRestoreMetadata() {
        byte[] restored;
        List<Long> checkpoints;
        long lastEra;
        try (EraStack s = EraTrackingTest.stack()) {
            s.create();
            checkpoints = EraTrackingTest.ioLoad(s, false);
            lastEra = s.status().era();
            s.remove();
            EraTrackingTest.assertChangedSince(s.image(), checkpoints.get(7), EraTrackingTest.ERA7);
            EraTrackingTest.assertChangedSince(s.image(), checkpoints.get(13), EraTrackingTest.ERA13);

            String xml = ThinTools.dump(s.image(), false);
            assertEquals(EraXmlParser.parse(xml), EraStack.dump(s.image(), false, false),
                    "era_dump and the model's dump of the model's image");
            restored = ThinTools.restore(xml, 4);
            assertEquals(EraXmlParser.parse(xml), EraStack.dump(restored, false, false),
                    "the model reads back what era_restore wrote");
        }
        EraTrackingTest.assertChangedSince(restored, checkpoints.get(7), EraTrackingTest.ERA7);
        EraTrackingTest.assertChangedSince(restored, checkpoints.get(13), EraTrackingTest.ERA13);
        CreationTest.assertClean(restored);

        // check the kernel (here: the model) is working on the restored metadata
        try (EraStack s = new EraStack(EraStack.DMTS_BLOCK_SIZE, EraTrackingTest.CHUNK * EraTrackingTest.CHUNKS, 4,
                restored)) {
            s.create();
            assertEquals(lastEra + 1, s.status().era(), "the restored current era, plus the create's resume");
            List<Long> again = EraTrackingTest.ioLoad(s, false);
            s.remove();
            EraTrackingTest.assertChangedSince(s.image(), again.get(7), EraTrackingTest.ERA7);
            EraTrackingTest.assertChangedSince(s.image(), again.get(13), EraTrackingTest.ERA13);
            // the first load's writes are still there: every even chunk written since the first checkpoint
            EraDump logical = EraStack.dump(s.image(), true, false);
            for (int i = 0; i < logical.nrEras(); i++) {
                long chunk = logical.eraBlock(i) / EraTrackingTest.CHUNK;
                if (chunk % 2 == 0) {
                    assertEquals(again.get((int) chunk), logical.eraValue(i), "block " + logical.eraBlock(i));
                } else {
                    assertEquals(0, logical.eraValue(i), "block " + logical.eraBlock(i) + " never written");
                }
            }
            CreationTest.assertClean(s.image());
        }
    }
}
