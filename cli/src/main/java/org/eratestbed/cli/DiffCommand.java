package org.eratestbed.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.diff.Differ;
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

    @Parameters(paramLabel = "SCRIPT.era", description = "the workload script")
    Path script;

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
        Variant v = Variant.parse(variant);
        WorkloadScript s = WorkloadParser.parse(script);
        byte[] image = null;
        if (metadata != null) {
            if (!Files.isRegularFile(metadata)) {
                throw new BadInputException(metadata + ": no such metadata image");
            }
            image = Files.readAllBytes(metadata);
        }
        Path dir = out != null ? out : Path.of("diff-" + script.getFileName().toString().replaceFirst("\\.era$", ""));
        try (ModelTarget model = model(v); TargetUnderTest other = other()) {
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

    private static ModelTarget model(Variant v) {
        // one command after another, as a shell runs dmsetup and dd (the same as replay)
        return new ModelTarget(v, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
    }

    private TargetUnderTest other() {
        if (against.equals("kernel")) {
            throw new BadInputException("the kernel target is not set up in this build (issue #7); "
                    + "compare with a model variant instead: --against hardened");
        }
        return model(Variant.parse(against));
    }
}
