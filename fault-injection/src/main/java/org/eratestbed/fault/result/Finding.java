package org.eratestbed.fault.result;

import java.util.List;

/**
 * An oracle that failed on one crash state of one run: a {@link ViolationRecord} (a failure of the variant
 * under test) or a {@link KnownRecord} (a finding the variant is known to have, such as upstream's M1, that
 * the reports list apart and never count as a failure).
 */
public sealed interface Finding extends ResultRecord permits ViolationRecord, KnownRecord {
    /**
     * The defect field of a finding that a time-bounded campaign wrote as found, before attributing it: its
     * reproducer still replays ({@code campaign --reproduce}), only its cause was not looked for. Written as a
     * violation, never as known: an unexplained failure must not pass for an expected one.
     */
    String UNTRIAGED = "untriaged";

    int run();

    long seed();

    String variant();

    /** The oracle's id: {@code tracking}, {@code in-flight}, ... (see {@link OracleIds}). */
    String oracle();

    /** The defect catalogue id the finding was attributed to, or null when none was. */
    String defect();

    /** What the oracle saw, one line. */
    String message();

    String crashPoint();

    /** Which crash state of the run, e.g. {@code "17 of 64"}. */
    String state();

    /** The shrunk workload script, as text ({@code .era} format, several lines). */
    String script();

    /** The scheduler choices that replay the interleaving. */
    List<Integer> schedule();

    /** The one command that replays the finding. */
    String reproduce();

    /** Milliseconds since the campaign started. */
    long tMs();

    /** Line breaks in a message would break the one-line contract of logs and JUnit attributes. */
    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " | ");
    }
}
