package org.eratestbed.fault.result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The reproducer folders of a results folder, {@code findings/NAME}. A folder is written before the record
 * that names it, and whole or not at all: its files go to {@code NAME.tmp}; once that is complete, an
 * existing {@code NAME} is renamed {@code NAME.old}, {@code NAME.tmp} renamed {@code NAME}, and
 * {@code NAME.old} removed. A kill can then leave a temporary folder, an old one set aside (alone, while a
 * later session replaced a folder its standing record names), or a folder whose record never reached the
 * log (its run is redone and writes it again); {@link #tidy} sorts each out when the results are opened.
 */
public final class FindingFolder {
    public static final String FOLDER = "findings";
    private static final String TMP = ".tmp";
    private static final String OLD = ".old";

    private FindingFolder() {
    }

    /** Writes {@code files} (name to text) as {@code out/findings/name}, replacing what was there. */
    public static Path write(Path out, String name, Map<String, String> files) {
        Path findings = out.resolve(FOLDER);
        Path dir = findings.resolve(name);
        Path tmp = findings.resolve(name + TMP);
        try {
            Files.createDirectories(findings);
            deleteTree(tmp);
            Files.createDirectory(tmp);
            for (Map.Entry<String, String> f : files.entrySet()) {
                try (FileChannel ch = FileChannel.open(tmp.resolve(f.getKey()), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    Durable.writeFully(ch, ByteBuffer.wrap(f.getValue().getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                }
            }
            Durable.forceFolder(tmp);
            // Renames only, so that a kill never leaves a folder half removed where its record points.
            Path old = findings.resolve(name + OLD);
            deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            Durable.forceFolder(findings);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write the reproducer folder " + name + ": "
                    + e.getMessage(), e);
        }
        return dir;
    }

    /**
     * Leaves in {@code out/findings} exactly the folders {@code named} by the records that stand: an old folder
     * set aside whose successor never took its place goes back (its record is still the standing one);
     * temporary folders, old ones replaced, and folders no standing record names (written for a run a kill cut
     * short, which is run again) are removed. Returns how many folders it removed or put back.
     */
    public static int tidy(Path out, Set<String> named) {
        Path findings = out.resolve(FOLDER);
        if (!Files.isDirectory(findings)) {
            return 0;
        }
        int changed = 0;
        try {
            for (Path p : list(findings)) {
                String name = p.getFileName().toString();
                if (name.endsWith(TMP)) {
                    deleteTree(p);
                    changed++;
                } else if (name.endsWith(OLD)) {
                    Path dir = findings.resolve(name.substring(0, name.length() - OLD.length()));
                    if (Files.exists(dir)) {
                        deleteTree(p);
                    } else {
                        Files.move(p, dir, StandardCopyOption.ATOMIC_MOVE);
                    }
                    changed++;
                }
            }
            for (Path p : list(findings)) {
                if (!named.contains(p.getFileName().toString())) {
                    deleteTree(p);
                    changed++;
                }
            }
            if (changed > 0) {
                Durable.forceFolder(findings);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(findings + ": cannot tidy: " + e.getMessage(), e);
        }
        return changed;
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
