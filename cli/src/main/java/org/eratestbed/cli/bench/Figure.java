package org.eratestbed.cli.bench;

import java.util.List;

/**
 * A named figure that {@code era-testbed bench} reports, and how it is measured: a JMH throughput benchmark
 * whose operation is one unit of the figure ({@code benchmark} and {@code method}), or, with a null
 * {@code benchmark}, a figure {@link BenchRunner} measures or derives itself. New figures are added to
 * {@link #ALL}.
 */
public record Figure(String name, String unit, Class<?> benchmark, String method, String description) {
    public static final Figure CRASH_STATES = new Figure("crash_states_per_s", "states/s", CrashStateBenchmark.class,
            "crashStates", "crash states constructed and hashed per second (4 MiB device, 12 volatile 4 KiB writes)");
    public static final Figure CHECKED = new Figure("crash_states_checked_per_s", "states/s",
            CrashStateCheckBenchmark.class, "checkStates", "crash states checked per second: construct, reopen, "
                    + "recover and every oracle (small configuration, " + CrashStateCheckBenchmark.STATES + " states)");
    public static final Figure METADATA_CHECKED = new Figure("metadata_checked_per_s", "states/s",
            CrashStateCheckBenchmark.class, "checkMetadataOnly", "the same states, metadata only: constructed and "
                    + "checked by the model's reader, the work era_check does (like for like with it)");
    public static final Figure ERA_CHECK = new Figure("era_check_states_per_s", "states/s", null, null,
            "the same states, each metadata image written to a file and checked by era_check as a process "
                    + "(plain timed loop, not JMH)");
    public static final Figure RATIO = new Figure("ratio", "x", null, null,
            "crash_states_checked_per_s / era_check_states_per_s (target: at least 100)");

    public static final Figure METADATA_RATIO = new Figure("metadata_ratio", "x", null, null,
            "metadata_checked_per_s / era_check_states_per_s: the same work in-process and as a process");

    public static final List<Figure> ALL = List.of(CRASH_STATES, CHECKED, METADATA_CHECKED, ERA_CHECK, RATIO,
            METADATA_RATIO);

    public boolean isJmh() {
        return benchmark != null;
    }

    /** The JMH include pattern that selects exactly this figure's benchmark. */
    public String pattern() {
        return "^" + java.util.regex.Pattern.quote(benchmark.getName() + "." + method) + "$";
    }

    public String benchmarkName() {
        return benchmark.getName() + "." + method;
    }

    public static Figure named(String name) {
        for (Figure f : ALL) {
            if (f.name.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
