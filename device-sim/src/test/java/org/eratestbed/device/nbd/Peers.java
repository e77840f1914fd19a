package org.eratestbed.device.nbd;

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

/** Real NBD programs for tests: found on PATH (tests skip when absent), started on 127.0.0.1, stopped by close. */
final class Peers {
    private Peers() {
    }

    static Path program(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static Path require(String name) {
        Path p = program(name);
        assumeTrue(p != null, name + " is not installed (CI installs it)");
        return p;
    }

    /**
     * A free loopback port for a program that must be told one: bind port 0, read the port, release it. Another
     * process could take it in between, so {@link Server#start} retries on a fresh port when the server dies.
     */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A program run to its end: exit code and output. */
    record Result(int exit, String out, String err) {
    }

    static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path outFile = Files.createTempFile("peer-out", ".txt");
        Path errFile = Files.createTempFile("peer-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not end in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(outFile, StandardCharsets.UTF_8),
                    Files.readString(errFile, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /** A server process listening on 127.0.0.1:{@link #port()}; close kills it (and waits). */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path log;

        private Server(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        /** Starts {@code command} with {@code PORT} replaced by a free port; waits until it accepts connections. */
        static Server start(String... command) throws IOException, InterruptedException {
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                List<String> cmd = new ArrayList<>();
                for (String c : command) {
                    cmd.add(c.replace("PORT", Integer.toString(port)));
                }
                Path log = Files.createTempFile("nbd-peer", ".log");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (p.isAlive() && System.nanoTime() < deadline) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                        return new Server(p, port, log);
                    } catch (IOException notYet) {
                        Thread.sleep(20);
                    }
                }
                String output = Files.readString(log);
                p.destroyForcibly().waitFor();
                Files.deleteIfExists(log);
                last = new IOException(cmd + " did not listen on " + port + ": " + output.strip());
            }
            throw last;
        }

        int port() {
            return port;
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        /** SIGKILL: the server dies with requests in flight, as a crashed peer would. */
        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(log);
        }
    }
}
