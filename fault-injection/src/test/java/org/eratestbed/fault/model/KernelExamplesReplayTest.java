package org.eratestbed.fault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every workload script the real kernel was run on (shared/reference/kernel-examples) replayed on the
 * upstream model: status lines — eras, used/total metadata blocks, snapshot block numbers — errors and
 * invalidate outputs must equal what the kernel printed.
 */
class KernelExamplesReplayTest {
    static final Path EXAMPLES = Path.of("..", "..", "shared", "reference", "kernel-examples");

    @TestFactory
    Stream<DynamicTest> replaysGiveTheKernelsOutputs() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("script.era"))).sorted().toList();
        }
        assertFalse(dirs.isEmpty(), "no kernel examples under " + EXAMPLES.toAbsolutePath());
        return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> check(d)));
    }

    private static void check(Path dir) throws IOException {
        Replayer.Outcome o;
        try (ModelTarget model = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            o = Replayer.replay(WorkloadParser.parse(dir.resolve("script.era")), model, null);
        }
        List<String> expected = Files.readAllLines(dir.resolve("status.txt"), StandardCharsets.UTF_8);
        assertEquals(String.join("\n", expected), String.join("\n", o.status()), dir + "/status.txt");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path xml : s.filter(p -> p.getFileName().toString().startsWith("invalidate")).sorted().toList()) {
                String name = xml.getFileName().toString();
                assertEquals(Files.readString(xml, StandardCharsets.UTF_8), o.files().get(name), dir + "/" + name);
            }
        }
    }
}
