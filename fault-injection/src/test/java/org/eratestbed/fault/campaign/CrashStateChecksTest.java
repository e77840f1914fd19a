package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.junit.jupiter.api.Test;

/** The bench's configuration is what it says: enough distinct crash states, all clean on hardened. */
class CrashStateChecksTest {
    @Test
    void theSmallConfigurationHasManyCleanStates() {
        CrashStateChecks c = CrashStateChecks.small(Variant.HARDENED);
        assertTrue(c.metadataStates().compareTo(BigInteger.valueOf(32)) >= 0, "states: " + c.metadataStates());
        long t0 = System.nanoTime();
        assertEquals(32, c.check(9, 32));
        System.out.printf("32 states checked in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertEquals(32, c.checkMetadataOnly(9, 32));
        List<byte[]> images = c.metadataImages(9, 32);
        assertEquals(32, images.size());
        assertEquals(4 << 20, images.get(0).length);
        for (byte[] img : images) {
            assertTrue(EraCheck.check(new ByteArrayBlockSource(img)).ok());
        }
    }
}
