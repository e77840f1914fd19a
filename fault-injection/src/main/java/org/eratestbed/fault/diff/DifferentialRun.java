package org.eratestbed.fault.diff;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.kernelcrash.KernelCrashCheck;
import org.eratestbed.fault.kernelcrash.RecordedRun;
import org.eratestbed.fault.kernelcrash.WriteWatcher;
import org.eratestbed.fault.replay.TargetUnderTest;

/**
 * The differential run issue #7 asks CI for: the whole corpus on the model and on the target under test (the
 * real kernel), compared script by script, and the crash states of the target's recorded metadata I/O checked
 * for some of the scripts — all with one target instance, so the kernel boots its guest once.
 */
public final class DifferentialRun {
    /** Every script's diff, the crash checks that ran (and their inputs, to check further), the wall time. */
    public record Outcome(List<CorpusDiff.ScriptResult> diffs, List<KernelCrashCheck.Report> crashChecks,
            List<KernelCrashCheck.Input> crashInputs, long millis) {
        /** The scripts whose replays differ. */
        public List<Difference> differences() {
            return diffs.stream().filter(r -> !r.report().same()).map(r -> r.report().first().get()).toList();
        }
    }

    private DifferentialRun() {
    }

    /**
     * @param other the target compared with the model, named {@code otherName} in reports and folders
     * @param otherMetadata the recording metadata disk of {@code other}'s current script
     * @param crashChecked the names of the scripts whose crash states are checked
     * @param outDir null, or the folder for both sides' files per script
     * @param progress one line per script and per crash check
     */
    public static Outcome run(List<DiffCorpus.Entry> corpus, TargetUnderTest model, String otherName,
            TargetUnderTest other, Supplier<SimDisk> otherMetadata, Set<String> crashChecked,
            KernelCrashCheck.Options options, Path outDir, Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        WriteWatcher watched = new WriteWatcher(other, () -> otherMetadata.get().log().endTick());
        List<KernelCrashCheck.Report> checks = new ArrayList<>();
        List<KernelCrashCheck.Input> inputs = new ArrayList<>();
        List<CorpusDiff.ScriptResult> diffs = CorpusDiff.run(corpus, new Differ.Side("model", model),
                new Differ.Side(otherName, watched), outDir, r -> {
                    progress.accept(r.entry().name() + ": " + (r.report().same() ? "same" : "DIFFERENT") + " ("
                            + r.millis() + " ms)");
                    if (crashChecked.contains(r.entry().name())) {
                        long c0 = System.nanoTime();
                        KernelCrashCheck.Input in = RecordedRun.input(r.entry().script(), watched, otherMetadata.get());
                        KernelCrashCheck.Report rep = KernelCrashCheck.check(in, options);
                        inputs.add(in);
                        checks.add(rep);
                        progress.accept("  crash states: " + rep.summary() + " (" + (System.nanoTime() - c0) / 1_000_000
                                + " ms)");
                    }
                });
        return new Outcome(diffs, List.copyOf(checks), List.copyOf(inputs), (System.nanoTime() - t0) / 1_000_000);
    }
}
