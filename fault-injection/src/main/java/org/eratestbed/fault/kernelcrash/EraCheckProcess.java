package org.eratestbed.fault.kernelcrash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * thin-provisioning-tools' {@code era_check}, run as a process on a metadata image: the second, independent
 * opinion on every crash state. Looked up as the test helper {@code ThinTools} does (the usual sbin folders,
 * then PATH); kept to this one tool on purpose, since a shared runner for the era tools may replace both.
 */
public final class EraCheckProcess {
    /** What era_check said: its exit code and its output (stdout then stderr). */
    public record Outcome(int code, String output) {
        public boolean clean() {
            return code == 0;
        }
    }

    private static final long TIMEOUT_SECONDS = 60;

    private EraCheckProcess() {
    }

    /** The era_check binary, or null when thin-provisioning-tools is not installed. */
    public static Path find() {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, "era_check");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs {@code exe} on a temporary file holding {@code image}. */
    public static Outcome check(Path exe, byte[] image) {
        Path img = null;
        Path out = null;
        try {
            img = Files.createTempFile("era-crash", ".img");
            out = Files.createTempFile("era-check", ".txt");
            Files.write(img, image);
            Process p = new ProcessBuilder(exe.toString(), img.toString()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("era_check did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + exe + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running era_check", e);
        } finally {
            delete(img);
            delete(out);
        }
    }

    private static void delete(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file left behind is harmless
        }
    }
}
