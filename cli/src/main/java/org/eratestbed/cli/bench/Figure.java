package org.eratestbed.cli.bench;

import java.util.List;

/**
 * A named figure that {@code era-testbed bench} reports, and the JMH benchmark that measures it (a throughput
 * benchmark whose operation is one unit of the figure). New figures are added to {@link #ALL}.
 */
public record Figure(String name, String unit, Class<?> benchmark, String method, String description) {
    public static final List<Figure> ALL = List.of(
            new Figure("crash_states_per_s", "states/s", CrashStateBenchmark.class, "crashStates",
                    "crash states constructed and hashed per second (4 MiB device, 12 volatile 4 KiB writes)"));

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
