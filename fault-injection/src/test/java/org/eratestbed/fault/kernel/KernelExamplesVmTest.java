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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;

/**
 * BOOTS A QEMU VM: the real kernel's dm-era replays the two recorded kernel examples (copied into the test
 * resources from shared/reference/kernel-examples) and must give every line of their status.txt and every
 * invalidate XML exactly, both on one boot. Then a script with every workload command, a suspend that blocks
 * three commands until the resume, and a crash; after the crash the next script gets a new boot and still
 * gives the recorded outputs. Builds the guest with {@link KernelSetup} first (cached
 * after the first run); skips only when qemu-system-x86_64 is not installed.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelExamplesVmTest {
    private KernelTarget target;

    @BeforeAll
    void boot() {
        Assumptions.assumeTrue(HostTools.find("qemu-system-x86_64") != null,
                "qemu-system-x86_64 is not installed (Debian package qemu-system-x86): no VM to boot");
        KernelSetup.GuestImage image = KernelSetup.setup(System.out::println);
        AccelProbe.Detection accel = AccelProbe.detect(image);
        System.out.println("accelerator: " + accel.accel() + " (" + accel.reason() + ")");
        target = new KernelTarget(image, accel.accel(), new SimDiskExports());
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
    @Order(1)
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

    @Test
    @Order(2)
    void blockedCommandsComeBackLateAndACrashNeedsANewBoot() throws IOException, URISyntaxException {
        int boots = target.bootTimes().size();
        Path script = Path.of(KernelExamplesVmTest.class.getResource("/kernel-cover.era").toURI());
        long t0 = System.nanoTime();
        Replayer.Outcome o = Replayer.replay(WorkloadParser.parse(script), target, null);
        System.out.printf("kernel-cover.era replayed in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, o.status());
        List<String> st = o.status();
        // status, checkpoint and the write wait in the era worker's queue (or the suspended device) until resume.
        int first = st.indexOf("ERROR: status: blocked");
        assertTrue(first > 0, "status on the suspended device must block: " + st);
        assertEquals(List.of("ERROR: status: blocked", "ERROR: checkpoint: blocked", "ERROR: write: blocked"),
                st.subList(first, first + 3));
        // The resume lets all three end: the kernel runs the parked RPCs newest first, and the replay reports
        // each in line order, as returning during the resume's line (12).
        assertTrue(st.get(first + 3).startsWith("LATE(line 9 status, returned during line 12): 0 65536 era 8 "),
                st.get(first + 3));
        assertEquals("LATE(line 10 checkpoint, returned during line 12):", st.get(first + 4));
        assertEquals("LATE(line 11 write 5 1, returned during line 12):", st.get(first + 5));
        // After the resume: era 1, +1 for the checkpoint, +1 for the resume's rollover.
        assertTrue(st.get(first + 6).matches("0 65536 era 8 \\d+/1024 3 -"), st.get(first + 6));
        // take_metadata_snap moves the era on (4), and so does the first resume of the new device (5).
        assertTrue(st.get(first + 7).matches("0 65536 era 8 \\d+/1024 5 -"), st.get(first + 7));
        assertEquals(9, st.size(), "a status before the suspend, three blocked, three late, two after: " + st);
        assertTrue(o.files().containsKey("invalidate-1.xml") && o.files().containsKey("invalidate_snap-1.xml"));
        assertTrue(o.files().get("invalidate-1.xml").contains("<range begin=\"0\" end = \"3\"/>"),
                "era 1's writes 0-2: " + o.files().get("invalidate-1.xml"));
        // The crash left committed metadata: the model's checker finds nothing wrong with it.
        CheckReport report = EraCheck.check(new ByteArrayBlockSource(o.metadataImage()));
        assertTrue(report.ok(), report.summary());
        // NbdServer recorded the kernel's metadata I/O: writes and the flushes that commit them.
        org.eratestbed.device.sim.IoLog log = target.metadataDisk().log();
        System.out.println("kernel-cover.era metadata I/O log: " + log.size() + " entries");
        assertTrue(log.size() > 10, "the kernel's metadata writes and flushes are in the log: " + log.size());
        assertEquals(boots, target.bootTimes().size(), "the crash ended the guest; no new boot yet");

        Path basic = examples().resolve("01-basic");
        check(basic, Replayer.replay(WorkloadParser.parse(basic.resolve("script.era")), target, null));
        assertEquals(boots + 1, target.bootTimes().size(), "the script after a crash runs on a new boot");
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
