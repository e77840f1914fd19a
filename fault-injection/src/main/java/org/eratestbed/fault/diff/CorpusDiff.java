package org.eratestbed.fault.diff;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Diffs a whole corpus on two targets, each target reused for every script (for the kernel: one guest boot
 * for all of them). A script with a {@code start-from} starts, on each side, from the final metadata image
 * that side's earlier script left.
 */
public final class CorpusDiff {
    /** One script's result and how long both replays took. */
    public record ScriptResult(DiffCorpus.Entry entry, Differ.Report report, long millis) {
    }

    private CorpusDiff() {
    }

    /**
     * @param outDir null, or the folder that gets one subfolder per script (each with both sides' folders)
     * @param progress called after each script
     */
    public static List<ScriptResult> run(List<DiffCorpus.Entry> corpus, Differ.Side left, Differ.Side right,
            Path outDir, Consumer<ScriptResult> progress) throws IOException {
        Map<String, Differ.Report> done = new HashMap<>();
        List<ScriptResult> out = new ArrayList<>();
        for (DiffCorpus.Entry e : corpus) {
            Differ.Report from = e.startFrom() == null ? null : done.get(e.startFrom());
            if (e.startFrom() != null && from == null) {
                throw new IllegalArgumentException(e.name() + " starts from " + e.startFrom() + ", not run before it");
            }
            left.target().deviceFaults(e.metadataFaults(), e.originFaults());
            right.target().deviceFaults(e.metadataFaults(), e.originFaults());
            long t0 = System.nanoTime();
            Differ.Report r = Differ.diff(e.script(), left, from == null ? null : from.left().metadataImage(), right,
                    from == null ? null : from.right().metadataImage(), outDir == null ? null : outDir.resolve(e.name()));
            ScriptResult sr = new ScriptResult(e, r, (System.nanoTime() - t0) / 1_000_000);
            done.put(e.name(), r);
            out.add(sr);
            progress.accept(sr);
        }
        return out;
    }
}
