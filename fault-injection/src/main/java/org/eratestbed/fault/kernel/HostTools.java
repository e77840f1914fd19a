package org.eratestbed.fault.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The host programs the guest is built and run with, where to find them, and running them with a deadline. */
public final class HostTools {
    /** Program → the Debian package that provides it, so a missing one can be named in one line. */
    static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("apt-cache", "apt"),
            Map.entry("apt-get", "apt"),
            Map.entry("dpkg-deb", "dpkg"),
            Map.entry("depmod", "kmod"),
            Map.entry("xz", "xz-utils"),
            Map.entry("cpio", "cpio"),
            Map.entry("ldd", "libc-bin"),
            Map.entry("busybox", "busybox-static"),
            Map.entry("dmsetup", "dmsetup"),
            Map.entry("nbd-client", "nbd-client"),
            Map.entry("pdata_tools", "thin-provisioning-tools"),
            Map.entry("qemu-system-x86_64", "qemu-system-x86"),
            Map.entry("nbdkit", "nbdkit"));

    private static final List<String> SEARCH_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
            "/usr/bin", "/sbin", "/bin");

    private HostTools() {
    }

    /** The program's absolute path, or null when it is not installed. */
    public static Path find(String program) {
        List<String> dirs = new ArrayList<>();
        String env = System.getenv("PATH");
        if (env != null) {
            dirs.addAll(List.of(env.split(":")));
        }
        dirs.addAll(SEARCH_PATH);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The program's path; a missing one is a {@link MissingToolException} naming its Debian package. */
    public static Path require(String program) {
        Path p = find(program);
        if (p == null) {
            throw new MissingToolException(program, PACKAGES.getOrDefault(program, program));
        }
        return p;
    }

    /** A host program the kernel target needs is not installed. */
    public static final class MissingToolException extends KernelException {
        MissingToolException(String program, String pkg) {
            super(program + " is not installed (Debian package " + pkg + ")");
        }
    }

    /**
     * Runs a host program to its end within {@code timeoutSeconds} and returns its stdout; a non-zero exit or
     * a timeout is a {@link KernelException} with the program's stderr.
     */
    static String run(Path cwd, long timeoutSeconds, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new KernelException("cannot start " + command[0] + ": " + e.getMessage(), e);
        }
        try {
            Drain out = new Drain(p.getInputStream());
            Drain err = new Drain(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new KernelException(String.join(" ", command) + ": no answer within " + timeoutSeconds + " s");
            }
            out.join();
            err.join();
            if (p.exitValue() != 0) {
                throw new KernelException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + err.text().strip().replace('\n', ' '));
            }
            return out.text();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KernelException("interrupted while running " + command[0], e);
        }
    }

    /** Reads a process stream on its own thread, so a full pipe never stalls the process. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try {
                in.transferTo(buf);
            } catch (IOException e) {
                // The process went away; what was read so far is all there is.
            }
        }

        synchronized String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
