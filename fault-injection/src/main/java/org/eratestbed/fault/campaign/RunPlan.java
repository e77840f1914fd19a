package org.eratestbed.fault.campaign;

import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * Everything that decides one run: the script, the scheduler's seed, how many commands a user keeps in
 * flight at once, the scheduler step at which the power goes ({@code -1}: at the end), and the device faults:
 * a {@link FaultPlan} for each disk (empty: an honest disk) and whether metadata writes may tear inside a
 * 4 KiB block at the power cut. The same plan on the same variant is the same run, bit for bit.
 */
public record RunPlan(WorkloadScript script, long seed, int window, long crashStep, FaultPlan metadataFaults,
        FaultPlan originFaults, boolean tornMetadata) {
    /** A plan on honest disks. */
    public RunPlan(WorkloadScript script, long seed, int window, long crashStep) {
        this(script, seed, window, crashStep, FaultPlan.NONE, FaultPlan.NONE, false);
    }

    public RunPlan withScript(WorkloadScript s) {
        return new RunPlan(s, seed, window, crashStep, metadataFaults, originFaults, tornMetadata);
    }

    public RunPlan withCrashStep(long step) {
        return new RunPlan(script, seed, window, step, metadataFaults, originFaults, tornMetadata);
    }

    public RunPlan withFaults(FaultPlan metadata, FaultPlan origin, boolean torn) {
        return new RunPlan(script, seed, window, crashStep, metadata, origin, torn);
    }

    /** True when any device in this run breaks the honest-disk assumptions. */
    public boolean hasFaults() {
        return !metadataFaults.isEmpty() || !originFaults.isEmpty() || tornMetadata;
    }

    /**
     * The plan as the lines of a {@code plan.txt} (the script goes beside it as {@code script.era}). Fault lines
     * appear only when the run has faults, so plans of honest runs read as they always did.
     */
    public String toText() {
        StringBuilder b = new StringBuilder("seed=" + Long.toUnsignedString(seed) + "\nwindow=" + window
                + "\ncrash_step=" + crashStep + "\n");
        if (!metadataFaults.isEmpty()) {
            b.append("metadata_faults=").append(metadataFaults).append('\n');
        }
        if (!originFaults.isEmpty()) {
            b.append("origin_faults=").append(originFaults).append('\n');
        }
        if (tornMetadata) {
            b.append("torn_metadata=true\n");
        }
        return b.toString();
    }

    /**
     * This plan with the fault lines of a {@code plan.txt} applied ({@code metadata_faults=}, {@code
     * origin_faults=}, {@code torn_metadata=}); other lines are left to the caller. A bad fault plan is a
     * {@link org.eratestbed.device.BadInputException}.
     */
    public RunPlan withFaultLines(List<String> lines) {
        FaultPlan md = metadataFaults;
        FaultPlan origin = originFaults;
        boolean torn = tornMetadata;
        for (String line : lines) {
            String[] kv = line.split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            switch (kv[0]) {
                case "metadata_faults" -> md = FaultPlan.parse(kv[1]);
                case "origin_faults" -> origin = FaultPlan.parse(kv[1]);
                case "torn_metadata" -> torn = Boolean.parseBoolean(kv[1].strip());
                default -> { }
            }
        }
        return withFaults(md, origin, torn);
    }
}
