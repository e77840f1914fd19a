package org.eratestbed.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.fault.FaultEvent;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.IoLogFile;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.kernel.AccelProbe;
import org.eratestbed.fault.kernel.SimDiskExports;
import org.eratestbed.fault.kernel.KernelException;
import org.eratestbed.fault.kernel.KernelSetup;
import org.eratestbed.fault.kernel.KernelTarget;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a workload script (.era) on a target under test and write status.txt, "
                + "invalidate-<N>.xml and meta.img into the output folder.")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SCRIPT.era", description = "the workload script")
    Path script;

    @Option(names = "--target", defaultValue = "model", description = "model (default) or kernel")
    String target;

    @Option(names = "--variant", defaultValue = "upstream",
            description = "upstream (default), as-reviewed, pre-5.12 or hardened")
    String variant;

    @Option(names = "--metadata", paramLabel = "IMG", description = "start from a copy of this metadata image")
    Path metadata;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: replay-<script name>)")
    Path out;

    @Option(names = "--metadata-faults", paramLabel = "PLAN",
            description = "device faults on the metadata disk, e.g. 'seed=1; eio-write op=12' (op counts the "
                    + "target's own requests); the faults that fired go to faults.txt")
    String metadataFaults;

    @Option(names = "--origin-faults", paramLabel = "PLAN", description = "device faults on the origin disk")
    String originFaults;

    @Option(names = "--io-log", description = "also write both disks' I/O logs: metadata.iolog and origin.iolog "
            + "(binary, for crash states) and metadata-io.txt (one request per line)")
    boolean ioLog;

    @Override
    public Integer call() throws IOException {
        if (!target.equals("model") && !target.equals("kernel")) {
            throw new BadInputException("unknown target '" + target + "' (model or kernel)");
        }
        Variant v = Variant.parse(variant);
        WorkloadScript s = WorkloadParser.parse(script);
        byte[] image = null;
        if (metadata != null) {
            if (!Files.isRegularFile(metadata)) {
                throw new BadInputException(metadata + ": no such metadata image");
            }
            image = Files.readAllBytes(metadata);
        }
        FaultPlan mdPlan = metadataFaults == null ? FaultPlan.NONE : FaultPlan.parse(metadataFaults);
        FaultPlan originPlan = originFaults == null ? FaultPlan.NONE : FaultPlan.parse(originFaults);
        Path dir = out != null ? out : Path.of("replay-" + script.getFileName().toString().replaceFirst("\\.era$", ""));
        if (target.equals("kernel")) {
            return replayOnKernel(s, image, dir, mdPlan, originPlan);
        }
        // Commands run one after another, as a shell runs dmsetup and dd; queued completions and random
        // interleavings are for campaigns.
        try (ModelTarget model = new ModelTarget(v, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE)
                .faults(mdPlan, originPlan)) {
            Replayer.Outcome o = Replayer.replay(s, model, image);
            o.writeTo(dir);
            if (!mdPlan.isEmpty() || !originPlan.isEmpty()) {
                writeFaults(dir, model.metadataDisk().faultEvents(), model.originDisk().faultEvents());
            }
            if (ioLog) {
                writeLogs(dir, model.metadataDisk(), model.originDisk());
            }
            spec.commandLine().getOut().println("replayed " + s.commands().size() + " commands of " + script
                    + " on the model (" + v.id() + "): " + dir.resolve("status.txt"));
        }
        return EraTestbed.EXIT_OK;
    }

    /** The faults that fired, one per line, so a reader can tell an injected error from the target's own. */
    private static void writeFaults(Path dir, List<FaultEvent> metadata, List<FaultEvent> origin) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        metadata.forEach(e -> lines.add("metadata " + e));
        origin.forEach(e -> lines.add("origin " + e));
        Files.write(dir.resolve("faults.txt"), lines);
    }

    private static void writeLogs(Path dir, SimDisk metadata, SimDisk origin) throws IOException {
        IoLogFile.write(metadata.log(), dir.resolve("metadata.iolog"));
        IoLogFile.write(origin.log(), dir.resolve("origin.iolog"));
        Files.writeString(dir.resolve("metadata-io.txt"), metadata.log().toText());
    }

    /** The real kernel's dm-era in the QEMU guest built by 'kernel setup' (the variant does not apply). */
    private int replayOnKernel(WorkloadScript s, byte[] image, Path dir, FaultPlan mdPlan, FaultPlan originPlan)
            throws IOException {
        KernelSetup.GuestImage guest = KernelCommand.requireGuest();
        long t0 = System.nanoTime();
        SimDiskExports exports = new SimDiskExports(mdPlan, originPlan);
        try (KernelTarget kernel = new KernelTarget(guest, AccelProbe.detect(guest).accel(), exports)) {
            Replayer.Outcome o = Replayer.replay(s, kernel, image);
            o.writeTo(dir);
            if (!mdPlan.isEmpty() || !originPlan.isEmpty()) {
                writeFaults(dir, kernel.metadataDisk().faultEvents(), kernel.originDisk().faultEvents());
            }
            if (ioLog) {
                writeLogs(dir, kernel.metadataDisk(), kernel.originDisk());
            }
            spec.commandLine().getOut().println("replayed " + s.commands().size() + " commands of " + script
                    + " on kernel " + guest.kernelRelease() + " (" + kernel.accel() + ", boot "
                    + kernel.bootTimes().stream().mapToLong(java.time.Duration::toMillis).sum() + " ms, total "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms): " + dir.resolve("status.txt"));
        } catch (KernelException e) {
            throw new BadInputException("kernel target: " + e.getMessage(), e);
        }
        return EraTestbed.EXIT_OK;
    }
}
