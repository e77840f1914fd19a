package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffCommandTest {
    private static final String SUSPENDED_STATUS = "target block_size=8 origin_blocks=64 metadata_mib=4\n"
            + "write 0 2\nstatus\nsuspend\nstatus\nresume\nstatus\n";

    @Test
    void twoVariantsThatDifferAreExitOneWithTheFirstDifferingLine(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("s.era"), SUSPENDED_STATUS);
        EraTestbedTest.Run r = EraTestbedTest.run("diff", script.toString(), "--against", "hardened", "--out",
                dir.resolve("out").toString());
        assertEquals(1, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("s.era: status.txt line 2 differs\n  model: ERROR: status: blocked\n"
                + "  model-hardened: 0 512 era Error\n"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("out/model/status.txt")));
        assertTrue(Files.isRegularFile(dir.resolve("out/model-hardened/meta.img")));
    }

    @Test
    void theSameVariantIsExitZero(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("s.era"), SUSPENDED_STATUS);
        EraTestbedTest.Run r = EraTestbedTest.run("diff", script.toString(), "--against", "upstream", "--out",
                dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("same"), r.out());
    }

    @Test
    void theCorpusAgainstTheSameVariantIsExitZeroWithALinePerScript(@TempDir Path dir) {
        EraTestbedTest.Run r = EraTestbedTest.run("diff", "--corpus", "--against", "upstream", "--out",
                dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("01-basic: same"), r.out());
        assertTrue(r.out().contains(" scripts, 0 different"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("out/10-recover-after-crash/model-upstream/status.txt")));
    }

    @Test
    void badScriptsAndUnknownVariantsAreExitTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.era"), "write 0 1\n");
        for (String[] args : new String[][] {{"diff", bad.toString(), "--against", "upstream"},
                {"diff", dir.resolve("none.era").toString()},
                {"diff"},
                {"diff", "--corpus", bad.toString()},
                {"diff", Files.writeString(dir.resolve("s.era"), SUSPENDED_STATUS).toString(), "--against", "nope"}}) {
            EraTestbedTest.Run r = EraTestbedTest.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err() + r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }
}
