package org.eratestbed.fault.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The recorded evidence of testbed-commit-after-failed-write on the real kernel still says what its README
 * claims: the I/O log has the failed write and then a successful superblock commit, and the metadata the
 * kernel left fails the model's check (while thin-provisioning-tools 0.9.0's era_check accepts it).
 */
class KernelFindingEvidenceTest {
    private static final String DIR = "/kernel-findings/commit-after-failed-write/";

    private static String text(String name) throws IOException {
        try (InputStream in = KernelFindingEvidenceTest.class.getResourceAsStream(DIR + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theKernelCommittedASuperblockAfterItsMetadataWriteFailed() throws IOException {
        List<String> io = text("metadata-io.txt").lines().toList();
        int failed = indexOf(io, "#42 WRITE 104+32 ");
        assertTrue(io.get(failed).contains(" IOERR "), io.get(failed));
        int superblock = indexOf(io, "#45 WRITE 0+8 ");
        assertTrue(superblock > failed && io.get(superblock).contains(" OK "), io.get(superblock));
        assertTrue(io.get(superblock + 1).startsWith("#46 FLUSH") && io.get(superblock + 1).contains(" OK"));
        assertEquals("0 128 era 8 9/1024 2 -", text("status.txt").strip().lines().reduce((a, b) -> b).orElseThrow());
        WorkloadParser.parse("script.era", text("script.era"));
    }

    @Test
    void theMetadataItLeftFailsTheModelsCheck() throws IOException, InterruptedException {
        Assumptions.assumeTrue(HostTools.find("xz") != null, "xz (Debian package xz-utils) is not installed");
        byte[] image = unxz();
        CheckReport r = EraCheck.check(new ByteArrayBlockSource(image));
        assertFalse(r.ok());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("block 16: space map index")), r.lines().toString());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("block 15: ") && l.contains("checksum")),
                r.lines().toString());
        Assumptions.assumeTrue(ThinTools.available(), "era_check is not installed");
        assertEquals(0, ThinTools.run(image, "era_check", "{img}").code(),
                "thin-provisioning-tools 0.9.0 accepts the damaged image, as era_check.txt records");
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + prefix);
    }

    private static byte[] unxz() throws IOException, InterruptedException {
        Path tmp = Files.createTempFile("meta", ".img.xz");
        try (InputStream in = KernelFindingEvidenceTest.class.getResourceAsStream(DIR + "meta.img.xz")) {
            Files.write(tmp, in.readAllBytes());
            Process p = new ProcessBuilder("xz", "-dc", tmp.toString()).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
