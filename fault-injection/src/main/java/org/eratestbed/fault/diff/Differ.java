package org.eratestbed.fault.diff;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * Replays one workload script on two targets under test (the model and the real kernel, or two model
 * variants) and finds the first place where what they produced differs. The comparison is over what a user
 * of dm-era sees, in this order: {@code status.txt} (status lines, errors, blocked and late commands), each
 * {@code invalidate-<N>.xml} in the order the script wrote them, and {@code dump --logical} of the final
 * metadata image (the era each block ends up with, read by the model's one reader for both sides).
 */
public final class Differ {
    /** The name of the file that holds the logical dump of a side's final {@code meta.img}. */
    public static final String DUMP_FILE = "dump-logical.xml";
    public static final String STATUS_FILE = "status.txt";
    private static final String NO_FILE = "<no such file>";

    /** One side of a diff: a name (its output folder, and how the report calls it) and the target. */
    public record Side(String name, TargetUnderTest target) {
    }

    /** Both replays and the first difference between them, if any. */
    public record Report(String script, String leftName, Replayer.Outcome left, String rightName,
            Replayer.Outcome right, Optional<Difference> first) {
        public boolean same() {
            return first.isEmpty();
        }
    }

    private Differ() {
    }

    /**
     * Replays {@code script} on both sides, one after the other, each from {@code initialMetadata} (null:
     * zeroed devices), and compares. With {@code outDir} set, each side's files go to {@code outDir/<name>/},
     * its logical dump included, and the report (or "same") to {@code outDir/diff.txt}.
     */
    public static Report diff(WorkloadScript script, Side left, Side right, byte[] initialMetadata, Path outDir)
            throws IOException {
        return diff(script, left, initialMetadata, right, initialMetadata, outDir);
    }

    /** As above, each side from its own image (e.g. the one its own earlier crashed replay left). */
    public static Report diff(WorkloadScript script, Side left, byte[] leftMetadata, Side right, byte[] rightMetadata,
            Path outDir) throws IOException {
        if (left.name().equals(right.name())) {
            throw new IllegalArgumentException("both sides are called " + left.name());
        }
        Replayer.Outcome l = Replayer.replay(script, left.target(), leftMetadata);
        Replayer.Outcome r = Replayer.replay(script, right.target(), rightMetadata);
        Report report = new Report(script.name(), left.name(), l, right.name(), r,
                compare(script.name(), left.name(), l, right.name(), r));
        if (outDir != null) {
            write(report, outDir);
        }
        return report;
    }

    /** The first difference between two outcomes of the script called {@code script}. */
    public static Optional<Difference> compare(String script, String leftName, Replayer.Outcome left,
            String rightName, Replayer.Outcome right) {
        Optional<Difference> d = lines(script, STATUS_FILE, leftName, left.status(), rightName, right.status());
        if (d.isPresent()) {
            return d;
        }
        Set<String> files = new LinkedHashSet<>(left.files().keySet());
        files.addAll(right.files().keySet());
        for (String f : files) {
            String a = left.files().get(f);
            String b = right.files().get(f);
            if (a == null || b == null) {
                return Optional.of(new Difference(script, f, 1, leftName, a == null ? NO_FILE : firstLine(a),
                        rightName, b == null ? NO_FILE : firstLine(b)));
            }
            d = lines(script, f, leftName, split(a), rightName, split(b));
            if (d.isPresent()) {
                return d;
            }
        }
        return lines(script, DUMP_FILE + " (dump --logical of meta.img)", leftName,
                split(LogicalDump.of(left.metadataImage())), rightName, split(LogicalDump.of(right.metadataImage())));
    }

    private static Optional<Difference> lines(String script, String file, String leftName, List<String> a,
            String rightName, List<String> b) {
        int n = Math.max(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            String x = i < a.size() ? a.get(i) : null;
            String y = i < b.size() ? b.get(i) : null;
            if (x == null || !x.equals(y)) {
                return Optional.of(new Difference(script, file, i + 1, leftName, x, rightName, y));
            }
        }
        return Optional.empty();
    }

    private static List<String> split(String text) {
        List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
        // a final newline ends the last line; it does not start another
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static String firstLine(String text) {
        List<String> l = split(text);
        return l.isEmpty() ? "" : l.get(0);
    }

    private static void write(Report r, Path outDir) throws IOException {
        r.left().writeTo(outDir.resolve(r.leftName()));
        Files.writeString(outDir.resolve(r.leftName()).resolve(DUMP_FILE), LogicalDump.of(r.left().metadataImage()),
                StandardCharsets.UTF_8);
        r.right().writeTo(outDir.resolve(r.rightName()));
        Files.writeString(outDir.resolve(r.rightName()).resolve(DUMP_FILE),
                LogicalDump.of(r.right().metadataImage()), StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("diff.txt"),
                r.first().map(Difference::describe).orElse(r.script() + ": same") + "\n", StandardCharsets.UTF_8);
    }
}
