package org.eratestbed.fault.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.nbd.NbdClientDevice;
import org.eratestbed.device.nbd.NbdServer;
import org.eratestbed.device.nbd.SynchronousDevice;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The model with its metadata and origin on NBD exports gives the same replay as over plain SimDisks: every
 * kernel example script, with the exports served by {@link NbdServer} from SimDisks (whose logs then hold the
 * model's I/O as a kernel run's would), and once with both on nbdkit's memory plugin.
 */
class ModelOverNbdTest {
    static final Path EXAMPLES = Path.of("..", "..", "shared", "reference", "kernel-examples");

    private static List<Path> scripts() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("script.era"))).sorted().toList();
        }
    }

    private static Replayer.Outcome plain(WorkloadScript script) {
        try (ModelTarget model = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE)) {
            return Replayer.replay(script, model, null);
        }
    }

    /** Replays over NBD devices that {@code open} connects for the script's table; closes them after. */
    private static Replayer.Outcome overNbd(WorkloadScript script, java.util.function.Function<Command.Target,
            ModelTarget.Devices> open) {
        List<BlockDevice> opened = new ArrayList<>();
        try (ModelTarget model = ModelTarget.overDevices(Variant.UPSTREAM::has, new ScriptedPolicy(List.of()), t -> {
            ModelTarget.Devices d = open.apply(t);
            opened.add(d.metadata());
            opened.add(d.origin());
            return d;
        })) {
            return Replayer.replay(script, model, null);
        } finally {
            opened.forEach(BlockDevice::close);
        }
    }

    private static void assertSameReplay(Replayer.Outcome expected, Replayer.Outcome actual, String what) {
        assertEquals(String.join("\n", expected.status()), String.join("\n", actual.status()), what + ": status.txt");
        assertEquals(expected.files(), actual.files(), what + ": invalidate outputs");
        assertArrayEquals(expected.metadataImage(), actual.metadataImage(), what + ": final metadata image");
    }

    @TestFactory
    Stream<DynamicTest> everyExampleOverNbdServerExportsEqualsThePlainReplay() throws IOException {
        List<Path> dirs = scripts();
        assertFalse(dirs.isEmpty(), "no kernel examples under " + EXAMPLES.toAbsolutePath());
        return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            WorkloadScript script = WorkloadParser.parse(d.resolve("script.era"));
            Replayer.Outcome expected = plain(script);
            List<SimDisk> served = new ArrayList<>();
            List<NbdServer> servers = new ArrayList<>();
            Replayer.Outcome actual;
            try {
                actual = overNbd(script, t -> {
                    SimDisk meta = SimDisk.builder(t.metadataMib() << 11).name("meta").build();
                    SimDisk origin = SimDisk.builder(Math.max(8, t.lengthSectors())).name("origin").build();
                    served.add(meta);
                    served.add(origin);
                    try {
                        NbdServer s = new NbdServer().export("meta", meta).export("origin", origin).start(0);
                        servers.add(s);
                        return new ModelTarget.Devices(
                                new SynchronousDevice(NbdClientDevice.connect("127.0.0.1", s.port(), "meta")),
                                new SynchronousDevice(NbdClientDevice.connect("127.0.0.1", s.port(), "origin")));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } finally {
                servers.forEach(NbdServer::close);
            }
            assertSameReplay(expected, actual, d.getFileName().toString());
            List<String> kernel = Files.readAllLines(d.resolve("status.txt"), StandardCharsets.UTF_8);
            assertEquals(String.join("\n", kernel), String.join("\n", actual.status()), "over NBD the kernel's status.txt too");
            SimDisk meta = served.get(0);
            assertTrue(meta.log().records().stream().anyMatch(r -> r.op() == BioOp.WRITE && r.fua()
                    || r.op() == BioOp.FLUSH), "the served metadata disk logged the model's commits (FUA/flush)");
        }));
    }

    @Test
    void basicExampleOnNbdkitMemoryEqualsThePlainReplay() throws Exception {
        String nbdkit = program("nbdkit");
        assumeTrue(nbdkit != null, "nbdkit is not installed (CI installs it)");
        Path dir = scripts().get(0);
        WorkloadScript script = WorkloadParser.parse(dir.resolve("script.era"));
        Command.Target t = script.target();
        List<Process> processes = new ArrayList<>();
        try {
            int metaPort = startNbdkit(nbdkit, (t.metadataMib() << 20) + "", processes);
            int originPort = startNbdkit(nbdkit, Math.max(8, t.lengthSectors()) * 512 + "", processes);
            Replayer.Outcome actual = overNbd(script, target -> new ModelTarget.Devices(
                    new SynchronousDevice(NbdClientDevice.connect("127.0.0.1", metaPort, "")),
                    new SynchronousDevice(NbdClientDevice.connect("127.0.0.1", originPort, ""))));
            assertSameReplay(plain(script), actual, "nbdkit " + dir.getFileName());
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** Starts {@code nbdkit memory SIZE} on a free loopback port (probed, retried if taken meanwhile). */
    private static int startNbdkit(String nbdkit, String size, List<Process> processes) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Process p = new ProcessBuilder(nbdkit, "-f", "-i", "127.0.0.1", "-p", Integer.toString(port), "memory", size)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            processes.add(p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return port;
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            p.destroyForcibly().waitFor();
        }
        throw new IOException("nbdkit did not start");
    }

    private static String program(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/bin")
                .split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
