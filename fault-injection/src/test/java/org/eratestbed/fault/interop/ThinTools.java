package org.eratestbed.fault.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * thin-provisioning-tools' era binaries (0.9.0 here, whatever CI installs), run on metadata images held in
 * memory. model/src/test has a helper of the same name, but it is package-private in another module's test
 * sources (no test-jar is built), so fault-injection cannot reuse it; this one has the same lookup and
 * skip rule, plus the image-in-a-temporary-file plumbing the target tests need.
 */
public final class ThinTools {
    /** One run: exit code, stdout, stderr. */
    public record Result(int code, String out, String err) {
        public Result expectOk(String what) {
            if (code != 0) {
                throw new AssertionError(what + " exited " + code + ": " + err + out);
            }
            return this;
        }
    }

    private ThinTools() {
    }

    static Path find(String name) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    public static boolean installed() {
        return find("era_restore") != null && find("era_dump") != null && find("era_check") != null
                && find("era_invalidate") != null;
    }

    /** Skips the calling test when the tools are absent (the only reason to skip). */
    public static void assumeInstalled() {
        assumeTrue(installed(), "thin-provisioning-tools (era_restore, era_dump, era_check, era_invalidate) "
                + "not installed: apt-get install thin-provisioning-tools");
    }

    /** Runs a tool with {@code args}; {@code {img}} in args is replaced by a temporary file holding image. */
    public static Result run(byte[] image, String tool, String... args) {
        Path img = null;
        try {
            List<String> cmd = new ArrayList<>();
            Path exe = find(tool);
            if (exe == null) {
                throw new AssertionError(tool + " not found");
            }
            cmd.add(exe.toString());
            for (String a : args) {
                if (a.equals("{img}")) {
                    if (img == null) {
                        img = Files.createTempFile("era-meta", ".img");
                        Files.write(img, image);
                    }
                    cmd.add(img.toString());
                } else {
                    cmd.add(a);
                }
            }
            return exec(cmd);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            if (img != null) {
                try {
                    Files.deleteIfExists(img);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static Result exec(List<String> cmd) throws IOException {
        Path out = Files.createTempFile("tpt-out", ".txt");
        Path err = Files.createTempFile("tpt-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish in 60 s: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + cmd, e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result check(byte[] image) {
        return run(image, "era_check", "{img}");
    }

    public static String dump(byte[] image, boolean logical) {
        return (logical ? run(image, "era_dump", "--logical", "{img}") : run(image, "era_dump", "{img}"))
                .expectOk("era_dump" + (logical ? " --logical" : "")).out();
    }

    public static String invalidate(byte[] image, long writtenSince) {
        return run(image, "era_invalidate", "--written-since", Long.toString(writtenSince), "{img}")
                .expectOk("era_invalidate --written-since " + writtenSince).out();
    }

    /** era_restore of {@code xml} into a zeroed image of {@code mib} MiB (era_restore needs it preallocated). */
    public static byte[] restore(String xml, long mib) {
        Path in = null;
        Path img = null;
        try {
            in = Files.createTempFile("era-restore", ".xml");
            img = Files.createTempFile("era-restore", ".img");
            Files.writeString(in, xml, StandardCharsets.UTF_8);
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(mib << 20);
            }
            exec(List.of(find("era_restore").toString(), "-i", in.toString(), "-o", img.toString()))
                    .expectOk("era_restore");
            return Files.readAllBytes(img);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            try {
                if (in != null) {
                    Files.deleteIfExists(in);
                }
                if (img != null) {
                    Files.deleteIfExists(img);
                }
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }
}
