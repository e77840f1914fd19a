package org.eratestbed.fault.scenario;

import java.util.List;

/**
 * What one side of a scenario did.
 *
 * @param violated    whether the oracle failed on this side
 * @param trigger     the exact interleaving or crash point, in words (the scheduler trace has the steps)
 * @param evidence    what the oracle saw: blocks, eras, status lines, check problems, log lines
 * @param trace       the scheduler's labelled steps that matter (the interleaving), oldest first
 */
record SideRun(boolean violated, String trigger, List<String> evidence, List<String> trace) {
    SideRun {
        evidence = List.copyOf(evidence);
        trace = List.copyOf(trace);
    }
}
