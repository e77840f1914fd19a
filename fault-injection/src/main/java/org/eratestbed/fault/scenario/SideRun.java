package org.eratestbed.fault.scenario;

import java.util.List;

/**
 * What one side of a scenario did.
 *
 * @param violated    whether the oracle failed on this side
 * @param trigger     the exact interleaving or crash point, in words (the scheduler trace has the steps)
 * @param evidence    what the oracle saw: blocks, eras, status lines, check problems, log lines
 * @param trace       the scheduler's labelled steps that matter (the interleaving), oldest first
 * @param crashed     the scenario itself failed to run on this side
 */
record SideRun(boolean violated, String trigger, List<String> evidence, List<String> trace, boolean crashed) {
    SideRun {
        evidence = List.copyOf(evidence);
        trace = List.copyOf(trace);
    }

    SideRun(boolean violated, String trigger, List<String> evidence, List<String> trace) {
        this(violated, trigger, evidence, trace, false);
    }

    /** The scenario's own code failed on this side (not the model under test): no verdict can be given. */
    static SideRun crashed(Throwable t) {
        return new SideRun(false, "the scenario could not run", List.of(t.toString()), List.of(), true);
    }
}
