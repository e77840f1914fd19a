package org.eratestbed.reports.jfr;

import java.time.Duration;
import java.util.List;

/**
 * What a report shows of a campaign's JFR recording(s): where the CPU went, what was allocated, what the
 * GC cost.
 *
 * @param recordings       how many {@code profile.jfr} files were merged
 * @param span             from the first to the last event
 * @param executionSamples {@code jdk.ExecutionSample} events with a stack trace
 * @param hotMethods       methods by samples in which they were the top frame (self time)
 * @param projectMethods   methods by samples in which they were the nearest era-testbed frame: where the
 *                         project's own code spent its time, JDK and library frames above it included
 * @param allocations      classes by sampled allocation weight (bytes), from {@code jdk.ObjectAllocationSample}
 * @param allocationBytes  the total sampled allocation weight
 * @param collections      {@code jdk.GarbageCollection} by collector and cause
 * @param pausePhases      {@code jdk.GCPhasePause} by phase name
 */
public record JfrProfile(int recordings, Duration span, long executionSamples, List<Row> hotMethods,
        List<Row> projectMethods, List<Row> allocations, long allocationBytes, List<GcRow> collections,
        List<GcRow> pausePhases) {

    /** Frames of these packages are the project's own. */
    public static final String PROJECT_PACKAGE = "org.eratestbed.";

    public JfrProfile {
        hotMethods = List.copyOf(hotMethods);
        projectMethods = List.copyOf(projectMethods);
        allocations = List.copyOf(allocations);
        collections = List.copyOf(collections);
        pausePhases = List.copyOf(pausePhases);
    }

    public record Row(String name, long count) {
    }

    /** GC events of one kind: how many, their pause time in total and the longest. */
    public record GcRow(String name, String cause, long count, Duration total, Duration longest) {
    }

    public long gcPauses() {
        return collections.stream().mapToLong(GcRow::count).sum();
    }

    public Duration gcPauseTotal() {
        return collections.stream().map(GcRow::total).reduce(Duration.ZERO, Duration::plus);
    }

    public Duration gcPauseMax() {
        return collections.stream().map(GcRow::longest).max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
