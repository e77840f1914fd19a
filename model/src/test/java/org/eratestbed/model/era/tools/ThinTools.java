package org.eratestbed.model.era.tools;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** thin-provisioning-tools' era binaries (0.9.0 here, whatever CI installs): found on PATH or in /usr/sbin. */
final class ThinTools {
    record Result(int code, String out, String err) {
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

    static boolean installed() {
        return find("era_restore") != null && find("era_dump") != null && find("era_check") != null
                && find("era_invalidate") != null;
    }

    static void assumeInstalled() {
        assumeTrue(installed(), "thin-provisioning-tools (era_restore, era_dump, era_check, era_invalidate) "
                + "not installed: apt-get install thin-provisioning-tools");
    }

    static Result run(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(find(tool).toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("tpt-out", ".txt");
            Path err = Files.createTempFile("tpt-err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(tool + " did not finish in 60 s: " + cmd);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + cmd, e);
        }
    }

    /** era_restore of {@code xml} into a fresh image file preallocated to {@code mib} MiB. */
    static Path restore(Path dir, String xml, int mib) {
        try {
            Path in = Files.createTempFile(dir, "in", ".xml");
            Path img = Files.createTempFile(dir, "meta", ".img");
            Files.writeString(in, xml, StandardCharsets.UTF_8);
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength((long) mib << 20);
            }
            Result r = run("era_restore", "-i", in.toString(), "-o", img.toString());
            Files.delete(in);
            if (r.code() != 0) {
                throw new AssertionError("era_restore failed (" + r.code() + "): " + r.err());
            }
            return img;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] restoreBytes(Path dir, String xml, int mib) {
        Path img = restore(dir, xml, mib);
        try {
            byte[] b = Files.readAllBytes(img);
            Files.delete(img);
            return b;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
