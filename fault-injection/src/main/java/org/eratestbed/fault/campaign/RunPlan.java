package org.eratestbed.fault.campaign;

import org.eratestbed.fault.workload.WorkloadScript;

/**
 * Everything that decides one run: the script, the scheduler's seed, how many commands a user keeps in
 * flight at once, and the scheduler step at which the power goes ({@code -1}: at the end). The same plan on
 * the same variant is the same run, bit for bit.
 */
public record RunPlan(WorkloadScript script, long seed, int window, long crashStep) {
    public RunPlan withScript(WorkloadScript s) {
        return new RunPlan(s, seed, window, crashStep);
    }

    public RunPlan withCrashStep(long step) {
        return new RunPlan(script, seed, window, step);
    }

    /** The plan as the lines of a {@code plan.txt} (the script goes beside it as {@code script.era}). */
    public String toText() {
        return "seed=" + Long.toUnsignedString(seed) + "\nwindow=" + window + "\ncrash_step=" + crashStep + "\n";
    }
}
