package org.eratestbed.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.diff.CorpusDiff;
import org.eratestbed.fault.diff.DiffCorpus;
import org.eratestbed.fault.diff.Differ;
import org.eratestbed.fault.kernel.KernelException;
import org.eratestbed.fault.kernel.KernelTarget;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Replay a workload script on the model and on the real kernel (or a second model variant) "
                + "and compare status.txt, every invalidate XML and dump --logical of the final meta.img. "
                + "Exit 0 same, 1 different (the first difference is printed), 2 bad input.")
final class DiffCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SCRIPT.era", arity = "0..1", description = "the workload script")
    Path script;

    @Option(names = "--corpus", description = "diff every script of the differential corpus (shipped with "
            + "era-testbed) instead of one script")
    boolean corpus;

    @Option(names = "--variant", defaultValue = "upstream",
            description = "the model's variant: upstream (default), as-reviewed, pre-5.12 or hardened")
    String variant;

    @Option(names = "--against", defaultValue = "kernel", paramLabel = "kernel|VARIANT",
            description = "what the model is compared with: the real kernel (default), or another model variant")
    String against;

    @Option(names = "--metadata", paramLabel = "IMG", description = "both sides start from a copy of this image")
    Path metadata;

    @Option(names = "--out", paramLabel = "DIR",
            description = "output folder, one subfolder per side (default: diff-<script name>)")
    Path out;

    @Override
    public Integer call() throws IOException {
        try {
            return diff();
        } catch (KernelException e) {
            throw new BadInputException("kernel target: " + e.getMessage(), e);
        }
    }

    private int diff() throws IOException {
        Variant v = Variant.parse(variant);
        if (corpus == (script != null)) {
            throw new BadInputException("give either SCRIPT.era or --corpus");
        }
        if (corpus) {
            return corpus(v);
        }
        WorkloadScript s = WorkloadParser.parse(script);
        byte[] image = null;
        if (metadata != null) {
            if (!Files.isRegularFile(metadata)) {
                throw new BadInputException(metadata + ": no such metadata image");
            }
            image = Files.readAllBytes(metadata);
        }
        Path dir = out != null ? out : Path.of("diff-" + script.getFileName().toString().replaceFirst("\\.era$", ""));
        // the script's own "# metadata-faults:" / "# origin-faults:" lines, as in the corpus
        String text = Files.readString(script);
        FaultPlan md = DiffCorpus.faults(text, true);
        FaultPlan origin = DiffCorpus.faults(text, false);
        try (ModelTarget model = model(v); TargetUnderTest other = other()) {
            model.deviceFaults(md, origin);
            other.deviceFaults(md, origin);
            String otherName = against.equals("kernel") ? "kernel" : "model-" + against;
            Differ.Report r = Differ.diff(s, new Differ.Side("model", model), new Differ.Side(otherName, other), image,
                    dir);
            if (r.same()) {
                spec.commandLine().getOut().println(s.name() + ": same on the model (" + v.id() + ") and " + otherName
                        + " (" + dir + ")");
                return EraTestbed.EXIT_OK;
            }
            spec.commandLine().getOut().println(r.first().get().describe());
            spec.commandLine().getOut().println("both replays are in " + dir);
            return EraTestbed.EXIT_VIOLATION;
        }
    }

    private int corpus(Variant v) throws IOException {
        if (metadata != null) {
            throw new BadInputException("--metadata does not go with --corpus (its scripts say where they start)");
        }
        Path dir = out != null ? out : Path.of("diff-corpus");
        String otherName = against.equals("kernel") ? "kernel" : "model-" + against;
        java.io.PrintWriter w = spec.commandLine().getOut();
        try (ModelTarget model = model(v); TargetUnderTest other = other()) {
            List<CorpusDiff.ScriptResult> results = CorpusDiff.run(DiffCorpus.load(), new Differ.Side("model", model),
                    new Differ.Side(otherName, other), dir, r -> {
                        w.println(r.entry().name() + ": " + (r.report().same() ? "same" : "DIFFERENT") + " ("
                                + r.millis() + " ms)");
                        r.report().first().ifPresent(d -> w.println(d.describe()));
                        w.flush();
                    });
            long different = results.stream().filter(r -> !r.report().same()).count();
            w.println(results.size() + " scripts, " + different + " different, model (" + v.id() + ") against "
                    + otherName + "; both replays of each are in " + dir);
            return different == 0 ? EraTestbed.EXIT_OK : EraTestbed.EXIT_VIOLATION;
        }
    }

    private static ModelTarget model(Variant v) {
        // one command after another, as a shell runs dmsetup and dd (the same as replay)
        return new ModelTarget(v, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
    }

    /** The real kernel in the guest 'kernel setup' built (exit 2 when it is not built), or a model variant. */
    private TargetUnderTest other() {
        if (against.equals("kernel")) {
            return new KernelTarget(KernelCommand.requireGuest());
        }
        return model(Variant.parse(against));
    }
}
