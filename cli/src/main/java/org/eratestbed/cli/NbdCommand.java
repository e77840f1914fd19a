package org.eratestbed.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.nbd.NbdServer;
import org.eratestbed.device.sim.IoLogFile;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "nbd", mixinStandardHelpOptions = true, description = "Export simulated disks over NBD.",
        subcommands = NbdCommand.Serve.class)
final class NbdCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new BadInputException("missing subcommand (serve)");
    }

    /**
     * {@code nbd serve}: SimDisks (immediate completion, with I/O logs) served on 127.0.0.1 until interrupted; then,
     * with {@code --log}, each export's I/O log and image are written, so a kernel run's I/O can be turned into
     * crash states later.
     */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve zeroed simulated disks over NBD on 127.0.0.1 until interrupted (Ctrl-C). With --log, "
                    + "write each export's I/O log (NAME.iolog) and final image (NAME.img) on exit.")
    static final class Serve implements Callable<Integer> {
        private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        /** What the default export is called in log file names (its NBD name is the empty default name). */
        static final String DEFAULT_EXPORT_FILE = "default";

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--size", defaultValue = "64M", paramLabel = "SIZE",
                description = "size of the default export, and of each --export NAME given without a size "
                        + "(bytes, or with K/M/G/T; a multiple of 512; default 64M)")
        String size;

        @Option(names = "--export", paramLabel = "NAME[=SIZE]",
                description = "an export (repeatable), e.g. --export meta=8M --export origin=64M; without any, one "
                        + "default export (empty name) of --size")
        List<String> exports = new ArrayList<>();

        @Option(names = "--port", defaultValue = "10809", paramLabel = "P",
                description = "TCP port on 127.0.0.1 (default 10809, the NBD port; 0 picks a free one)")
        int port;

        @Option(names = "--log", paramLabel = "DIR", description = "on exit, write NAME.iolog and NAME.img here")
        Path log;

        private final CountDownLatch stopped = new CountDownLatch(1);
        private NbdServer server;
        private Map<String, SimDisk> disks;
        private boolean done;

        @Override
        public Integer call() throws IOException {
            if (port < 0 || port > 65535) {
                throw new BadInputException("--port " + port + " is not a TCP port (0..65535)");
            }
            disks = disks();
            if (log != null) {
                Files.createDirectories(log);
                if (!Files.isWritable(log)) {
                    throw new BadInputException("--log " + log + " is not a writable folder");
                }
            }
            server = new NbdServer();
            disks.forEach(server::export);
            try {
                server.start(port);
            } catch (BindException e) {
                throw new BadInputException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            for (Map.Entry<String, SimDisk> e : disks.entrySet()) {
                out.println("serving " + server.uri(e.getKey()) + " (" + e.getValue().sizeSectors() + " sectors)");
            }
            out.println("ready; Ctrl-C stops" + (log == null ? "" : " and writes the logs to " + log));
            out.flush();
            // SIGINT/SIGTERM run the hook: it stops the server and writes the logs before the JVM ends.
            Thread hook = new Thread(this::stop, "nbd-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // Interrupted in-process (a test, an embedding caller): stop as the hook would.
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running already and will finish the job.
                }
                stop();
            }
            return EraTestbed.EXIT_OK;
        }

        /** Stops serving and writes the logs (once, whoever calls first). */
        private synchronized void stop() {
            if (done) {
                return;
            }
            done = true;
            try {
                server.close();
                if (log != null) {
                    for (Map.Entry<String, SimDisk> e : disks.entrySet()) {
                        String file = e.getKey().isEmpty() ? DEFAULT_EXPORT_FILE : e.getKey();
                        IoLogFile.write(e.getValue().log(), log.resolve(file + ".iolog"));
                        writeImage(e.getValue().image(), log.resolve(file + ".img"));
                    }
                    spec.commandLine().getOut().println("wrote " + disks.size() + " I/O logs and images to " + log);
                    spec.commandLine().getOut().flush();
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("era-testbed nbd serve: writing the logs failed: " + e.getMessage());
                spec.commandLine().getErr().flush();
            } finally {
                stopped.countDown();
            }
        }

        private static void writeImage(PageImage image, Path file) throws IOException {
            int chunkSectors = 2048;
            byte[] buf = new byte[chunkSectors * 512];
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file))) {
                for (long s = 0; s < image.sizeSectors(); s += chunkSectors) {
                    int n = (int) Math.min(chunkSectors, image.sizeSectors() - s);
                    image.read(s, buf, 0, n);
                    o.write(buf, 0, n * 512);
                }
            }
        }

        private Map<String, SimDisk> disks() {
            long defaultSectors = parseSize(size, "--size");
            Map<String, Long> sizes = new LinkedHashMap<>();
            if (exports.isEmpty()) {
                sizes.put("", defaultSectors);
            }
            for (String e : exports) {
                int eq = e.indexOf('=');
                String name = eq < 0 ? e : e.substring(0, eq);
                if (!NAME.matcher(name).matches()) {
                    throw new BadInputException("--export '" + e + "': a name is 1-64 of A-Z a-z 0-9 . _ - (not starting "
                            + "with . _ or -)");
                }
                long sectors = eq < 0 ? defaultSectors : parseSize(e.substring(eq + 1), "--export " + name);
                if (sizes.putIfAbsent(name, sectors) != null) {
                    throw new BadInputException("--export " + name + " is given twice");
                }
            }
            Map<String, SimDisk> out = new LinkedHashMap<>();
            sizes.forEach((name, sectors) -> out.put(name,
                    SimDisk.builder(sectors).name(name.isEmpty() ? DEFAULT_EXPORT_FILE : name).recordLog(true).build()));
            return out;
        }

        /** "64M", "8MiB", "512K", "1G", "4096" → sectors; positive and a whole number of sectors. */
        static long parseSize(String text, String what) {
            Matcher m = SIZE.matcher(text.strip());
            if (!m.matches()) {
                throw new BadInputException(what + " '" + text + "' is not a size (e.g. 4096, 512K, 64M, 1G)");
            }
            int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                case "T" -> 40;
                default -> 0;
            };
            long n = Long.parseLong(m.group(1));
            if (n == 0 || n > (Long.MAX_VALUE >> (shift + 10))) {
                throw new BadInputException(what + " '" + text + "' is " + (n == 0 ? "zero" : "too large"));
            }
            long bytes = n << shift;
            if (bytes % 512 != 0) {
                throw new BadInputException(what + " '" + text + "' is not a multiple of 512 bytes");
            }
            return bytes / 512;
        }
    }
}
