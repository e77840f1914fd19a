package org.eratestbed.fault.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The recorded evidence of testbed-load-while-active on the real kernel (kernel-findings/load-while-active)
 * still says what its README claims: the metadata kernel 6.1 left is consistent, yet blocks 3 and 5, written
 * and acknowledged in eras 2 and 3, are missing from {@code --written-since 2}, for the model's reader and for
 * thin-provisioning-tools' era_invalidate; and the model's upstream variant prints the very same status lines
 * and invalidate output for the script, so the model reproduces the kernel without a VM.
 */
class KernelLoadWhileActiveEvidenceTest {
    private static final String DIR = "/kernel-findings/load-while-active/";
    private static final String ONLY_BLOCK_7 = "<blocks>\n  <block block=\"7\"/>\n</blocks>\n";

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = KernelLoadWhileActiveEvidenceTest.class.getResourceAsStream(DIR + name)) {
            return in.readAllBytes();
        }
    }

    private static String text(String name) throws IOException {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    @Test
    void theModelPrintsWhatTheKernelPrinted() throws IOException {
        assertEquals(ONLY_BLOCK_7, text("invalidate-2.xml"), "the kernel's run");
        try (ModelTarget model = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            Replayer.Outcome o = Replayer.replay(WorkloadParser.parse("script.era", text("script.era")), model, null);
            assertEquals(text("status.txt").strip(), String.join("\n", o.status()).strip());
            assertEquals(text("invalidate-2.xml"), o.files().get("invalidate-2.xml"));
            assertEquals(text("invalidate-0.xml"), o.files().get("invalidate-0.xml"));
        }
    }

    @Test
    void theKernelsMetadataIsConsistentAndForgetsBlocks3And5() throws IOException, InterruptedException {
        Assumptions.assumeTrue(HostTools.find("xz") != null, "xz (Debian package xz-utils) is not installed");
        byte[] image = unxz();
        assertTrue(EraCheck.check(new ByteArrayBlockSource(image)).ok(), "nothing reports the loss");
        StringWriter w = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), 2, false, false, new InvalidateXml.RunWriter(w));
        assertEquals(ONLY_BLOCK_7, w.toString());
        Assumptions.assumeTrue(ThinTools.available(), "era_invalidate is not installed");
        ThinTools.Result theirs = ThinTools.run(image, "era_invalidate", "--written-since", "2", "{img}");
        assertEquals(0, theirs.code(), theirs.err());
        assertEquals(ONLY_BLOCK_7, theirs.out(), "thin-provisioning-tools agrees: a backup would skip blocks 3 and 5");
    }

    private static byte[] unxz() throws IOException, InterruptedException {
        Path tmp = Files.createTempFile("meta", ".img.xz");
        try {
            Files.write(tmp, bytes("meta.img.xz"));
            Process p = new ProcessBuilder("xz", "-dc", tmp.toString()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
            return out;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
