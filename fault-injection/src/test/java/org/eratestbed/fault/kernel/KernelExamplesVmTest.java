package org.eratestbed.fault.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * BOOTS A QEMU VM: the real kernel's dm-era replays the two recorded kernel examples (copied into the test
 * resources from shared/reference/kernel-examples) and must give every line of their status.txt and every
 * invalidate XML exactly. One boot serves both scripts, and a script that crashes the guest is followed by one
 * that needs a new boot, to show the target recovers. Builds the guest with {@link KernelSetup} first (cached
 * after the first run); skips only when qemu-system-x86_64 is not installed.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelExamplesVmTest {
    private KernelTarget target;

    @BeforeAll
    void boot() {
        Assumptions.assumeTrue(HostTools.find("qemu-system-x86_64") != null,
                "qemu-system-x86_64 is not installed (Debian package qemu-system-x86): no VM to boot");
        KernelSetup.GuestImage image = KernelSetup.setup(System.out::println);
        AccelProbe.Detection accel = AccelProbe.detect(image);
        System.out.println("accelerator: " + accel.accel() + " (" + accel.reason() + ")");
        target = new KernelTarget(image, accel.accel(), new NbdkitExports());
    }

    @AfterAll
    void stop() {
        if (target != null) {
            target.close();
            System.out.println("guest boots: " + target.bootTimes());
        }
    }

    static Path examples() {
        try {
            return Path.of(KernelExamplesVmTest.class.getResource("/kernel-examples").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void replaysGiveTheKernelsRecordedOutputs() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(examples())) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("script.era"))).sorted().toList();
        }
        assertFalse(dirs.isEmpty());
        for (Path d : dirs) {
            long t0 = System.nanoTime();
            Replayer.Outcome o = Replayer.replay(WorkloadParser.parse(d.resolve("script.era")), target, null);
            System.out.printf("%s replayed on the kernel in %d ms%n", d.getFileName(), (System.nanoTime() - t0) / 1_000_000);
            check(d, o);
        }
        assertEquals(1, target.bootTimes().size(), "both scripts share one boot");
    }

    private static void check(Path dir, Replayer.Outcome o) throws IOException {
        List<String> expected = Files.readAllLines(dir.resolve("status.txt"), StandardCharsets.UTF_8);
        assertEquals(String.join("\n", expected), String.join("\n", o.status()), dir.getFileName() + "/status.txt");
        List<Path> xmls;
        try (Stream<Path> s = Files.list(dir)) {
            xmls = s.filter(p -> p.getFileName().toString().startsWith("invalidate")).sorted().toList();
        }
        for (Path xml : xmls) {
            String name = xml.getFileName().toString();
            assertEquals(Files.readString(xml, StandardCharsets.UTF_8), o.files().get(name), dir.getFileName() + "/" + name);
        }
        List<String> names = new ArrayList<>(o.files().keySet());
        assertEquals(xmls.stream().map(p -> p.getFileName().toString()).sorted().toList(), names.stream().sorted().toList());
        assertTrue(o.metadataImage().length > 0);
    }
}
