package org.eratestbed.model.era.tools.thin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThinToolsTest {
    @Test
    void aMissingToolIsAClearError() {
        ThinToolsException e = assertThrows(ThinToolsException.class, () -> ThinTools.run("era_no_such_tool"));
        assertTrue(e.getMessage().contains("era_no_such_tool not found"), e.getMessage());
    }

    @Test
    void eraCheckRejectsAZeroedImageAndTheTemporaryFileIsGone() {
        assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        ThinTools.Result r = ThinTools.check(new byte[1 << 20]);
        assertNotEquals(0, r.code(), "a zeroed device has no era superblock");
        assertThrows(ThinToolsException.class, () -> r.expectOk("era_check"));
    }

    @Test
    void restoreThenCheckPasses() {
        assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        byte[] img = ThinTools.restore("<superblock uuid=\"\" block_size=\"8\" nr_blocks=\"16\" current_era=\"3\">\n"
                + "  <era_array>\n" + eras() + "  </era_array>\n</superblock>\n", 1);
        assertEquals(1 << 20, img.length);
        assertEquals(0, ThinTools.check(img).code());
        assertTrue(ThinTools.dump(img, false).contains("current_era=\"3\""));
    }

    @Test
    void aToolThatOutlivesItsTimeoutIsKilledAndReported() {
        // Any long-running program shows the timeout path; era_dump of stdin-less input returns at once, so
        // use the shell's sleep, found the same way.
        assumeTrue(ThinTools.find("sleep") != null, "no sleep binary");
        long t0 = System.nanoTime();
        ThinToolsException e = assertThrows(ThinToolsException.class,
                () -> ThinTools.run(Duration.ofMillis(200), "sleep", "10"));
        assertTrue(e.getMessage().contains("did not finish"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "killed well before the 10 s sleep ends");
    }

    private static String eras() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            b.append("    <era block=\"").append(i).append("\" era=\"").append(i % 3).append("\"/>\n");
        }
        return b.toString();
    }
}
