package org.eratestbed.fault.interop;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.dmts.EraStack;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue #4's acceptance: every script under {@code src/test/resources/dmts/} (the DMTS workloads as scripts)
 * and every kernel example ({@code shared/reference/kernel-examples}) replayed on the upstream model; the
 * final {@code meta.img} — after the final remove, or as a crash left it — passes {@code era_check} (exit 0)
 * and the model's own {@code check}.
 */
class ScriptImagesCheckTest {
    static final Path SCRIPTS = Path.of("src", "test", "resources", "dmts");

    /**
     * The kernel examples live outside the repository, in the shared folder beside the checkouts; they are
     * looked for in every ancestor of the module (the lead's checkout and the helpers' worktrees sit at
     * different depths).
     */
    static Path kernelExamples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(Path.of("shared", "reference", "kernel-examples"));
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    static List<Path> scripts() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(SCRIPTS)) {
            s.filter(p -> p.toString().endsWith(".era")).sorted().forEach(out::add);
        }
        Path examples = kernelExamples();
        if (examples != null) {
            try (Stream<Path> s = Files.list(examples)) {
                s.map(d -> d.resolve("script.era")).filter(Files::isRegularFile).sorted().forEach(out::add);
            }
        }
        return out;
    }

    static Replayer.Outcome replay(Path script) {
        try (ModelTarget model = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            return Replayer.replay(WorkloadParser.parse(script), model, null);
        }
    }

    @TestFactory
    Stream<DynamicTest> finalImagesPassBothChecks() throws IOException {
        List<Path> scripts = scripts();
        assertTrue(scripts.stream().filter(p -> p.startsWith(SCRIPTS)).count() >= 5, "the DMTS scripts are missing");
        return scripts.stream().map(p -> DynamicTest.dynamicTest(
                p.getParent().getFileName() + "/" + p.getFileName(), () -> {
                    Replayer.Outcome o = replay(p);
                    assertFalse(o.status().stream().anyMatch(l -> l.startsWith("ERROR") && !expectsErrors(p)),
                            () -> p + ": " + o.status());
                    CheckReport r = EraStack.check(o.metadataImage());
                    assertTrue(r.ok() && r.warningCount() == 0, () -> p + ": model check: " + r.lines());
                    if (ThinTools.available()) {
                        ThinTools.Result t = ThinTools.check(o.metadataImage());
                        assertEquals(0, t.code(), () -> p + ": era_check: " + t.err() + t.out());
                    }
                }));
    }

    /** The kernel example 11-snap-errors fails messages on purpose; the DMTS scripts must not fail. */
    private static boolean expectsErrors(Path p) {
        return !p.startsWith(SCRIPTS);
    }

    @Test
    void kernelExamplesAreFound() {
        org.junit.jupiter.api.Assumptions.assumeTrue(kernelExamples() != null,
                "shared/reference/kernel-examples is not beside this checkout (it is not in the repository)");
        assertTrue(kernelExamples().resolve("01-basic").resolve("script.era").toFile().isFile());
    }

    /** The tracking script's invalidate files are DMTS's expected ranges (scaled as EraTrackingTest). */
    @Test
    void trackingScriptGivesDmtsRanges() {
        Replayer.Outcome o = replay(SCRIPTS.resolve("tracking.era"));
        assertEquals(org.eratestbed.fault.dmts.EraTrackingTestAccess.ERA7, o.files().get("invalidate-9.xml"));
        assertEquals(org.eratestbed.fault.dmts.EraTrackingTestAccess.ERA13, o.files().get("invalidate-15.xml"));
    }
}
