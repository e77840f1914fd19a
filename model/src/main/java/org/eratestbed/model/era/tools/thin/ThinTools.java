package org.eratestbed.model.era.tools.thin;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * thin-provisioning-tools' era binaries ({@code era_check}, {@code era_dump}, {@code era_invalidate},
 * {@code era_restore}) run as separate processes, as a user runs them: the independent second opinion on the
 * model's images, for interop tests and for the bench's process ratio. Found in /usr/sbin (where Debian puts
 * them, often not on a user's PATH), the other sbin/bin folders, then PATH. Every run has a timeout, so a tool
 * that hangs on a bad image is killed and reported instead of stalling a test or the bench.
 */
public final class ThinTools {
    /** Why a caller skips or refuses when {@link #available()} is false. */
    public static final String NOT_INSTALLED = "thin-provisioning-tools (era_check, era_dump, era_invalidate, "
            + "era_restore) not installed: apt-get install thin-provisioning-tools";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TOOLS = List.of("era_check", "era_dump", "era_invalidate", "era_restore");

    /** One run: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {
        public boolean ok() {
            return code == 0;
        }

        /** This result, or a {@link ThinToolsException} with the tool's output when it exited non-zero. */
        public Result expectOk(String what) {
            if (code != 0) {
                throw new ThinToolsException(what + " exited " + code + ": " + err + out);
            }
            return this;
        }
    }

    private ThinTools() {
    }

    /** The binary's path, or null when it is nowhere to be found. */
    public static Path find(String name) {
        Set<String> dirs = new LinkedHashSet<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** True when all four era tools are installed. */
    public static boolean available() {
        return TOOLS.stream().allMatch(t -> find(t) != null);
    }

    /** Runs {@code tool args...} (paths as arguments) with the default timeout. */
    public static Result run(String tool, String... args) {
        return run(DEFAULT_TIMEOUT, tool, args);
    }

    public static Result run(Duration timeout, String tool, String... args) {
        Path exe = find(tool);
        if (exe == null) {
            throw new ThinToolsException(tool + " not found; " + NOT_INSTALLED);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        return exec(cmd, timeout);
    }

    /**
     * Runs a tool on an image held in memory: each {@code {img}} argument is replaced by a temporary file holding
     * {@code image}, deleted afterwards.
     */
    public static Result run(byte[] image, String tool, String... args) {
        Path img = null;
        try {
            String[] resolved = args.clone();
            for (int i = 0; i < resolved.length; i++) {
                if (resolved[i].equals("{img}")) {
                    if (img == null) {
                        img = Files.createTempFile("era-meta", ".img");
                        Files.write(img, image);
                    }
                    resolved[i] = img.toString();
                }
            }
            return run(tool, resolved);
        } catch (IOException e) {
            throw new ThinToolsException("cannot write a temporary image for " + tool + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(img);
        }
    }

    /** {@code era_check IMG}: exit code 0 when the metadata is consistent. */
    public static Result check(Path image) {
        return run("era_check", image.toString());
    }

    public static Result check(byte[] image) {
        return run(image, "era_check", "{img}");
    }

    /** {@code era_dump [--logical] IMG}'s XML; a failing dump is a {@link ThinToolsException}. */
    public static String dump(byte[] image, boolean logical) {
        Result r = logical ? run(image, "era_dump", "--logical", "{img}") : run(image, "era_dump", "{img}");
        return r.expectOk("era_dump" + (logical ? " --logical" : "")).out();
    }

    /** {@code era_invalidate --written-since N IMG}'s XML. */
    public static String invalidate(byte[] image, long writtenSince) {
        return run(image, "era_invalidate", "--written-since", Long.toString(writtenSince), "{img}")
                .expectOk("era_invalidate --written-since " + writtenSince).out();
    }

    /**
     * {@code era_restore} of {@code xml} into a new image file in {@code dir}, preallocated to {@code mib} MiB
     * (era_restore writes into an existing file of the device's size).
     */
    public static Path restore(Path dir, String xml, long mib) {
        Path in = null;
        try {
            in = Files.createTempFile(dir, "in", ".xml");
            Path img = Files.createTempFile(dir, "meta", ".img");
            Files.writeString(in, xml, StandardCharsets.UTF_8);
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(mib << 20);
            }
            run("era_restore", "-i", in.toString(), "-o", img.toString()).expectOk("era_restore");
            return img;
        } catch (IOException e) {
            throw new ThinToolsException("cannot prepare era_restore's files: " + e.getMessage(), e);
        } finally {
            deleteQuietly(in);
        }
    }

    /** {@code era_restore} of {@code xml} into a zeroed {@code mib} MiB image, returned as bytes. */
    public static byte[] restore(String xml, long mib) {
        Path dir = null;
        Path img = null;
        try {
            dir = Files.createTempDirectory("era-restore");
            img = restore(dir, xml, mib);
            return Files.readAllBytes(img);
        } catch (IOException e) {
            throw new ThinToolsException("cannot read era_restore's image: " + e.getMessage(), e);
        } finally {
            deleteQuietly(img);
            deleteQuietly(dir);
        }
    }

    private static Result exec(List<String> cmd, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            // Files, not pipes: a tool writing more than a pipe holds cannot block while we wait for it.
            out = Files.createTempFile("tpt-out", ".txt");
            err = Files.createTempFile("tpt-err", ".txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new ThinToolsException(String.join(" ", cmd) + " did not finish in " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ThinToolsException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThinToolsException("interrupted running " + String.join(" ", cmd), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file left behind is harmless; the tool's result is what matters
        }
    }
}
