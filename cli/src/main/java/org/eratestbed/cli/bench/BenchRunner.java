package org.eratestbed.cli.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs the JMH benchmarks behind a list of figures, programmatically, and collects their results. */
public final class BenchRunner {
    /** How long to run: the full settings give the report's figures, quick ones only smoke-test. */
    public record Settings(int forks, int warmupIterations, int warmupMillis, int iterations, int iterationMillis) {
        /**
         * The report's settings. The checked figure runs a whole target per state, and its code is still being
         * compiled after three seconds: five warm-up seconds, then ten measured ones, so that the 99.9% interval
         * (Student's t with n-1 degrees of freedom: 8.6 for five samples, 4.8 for ten) is about the figure.
         */
        public static Settings full(int forks) {
            return new Settings(forks, 5, 1000, 10, 1000);
        }

        public static Settings quick(int forks) {
            return new Settings(forks, 1, 200, 2, 200);
        }

        /** Timed passes of the era_check loop over its states: three for figures, one for a smoke test. */
        public int eraCheckPasses() {
            return iterations >= 5 ? 3 : 1;
        }
    }

    private BenchRunner() {
    }

    /**
     * Measures the figures (and, for the ratio, both figures it divides): the JMH ones in one JMH run, then the
     * era_check loop, then the ratio. Results come back in {@link Figure#ALL}'s order.
     */
    public static Map<Figure, BenchResult> run(List<Figure> figures, Settings s, boolean verbose) throws RunnerException {
        Set<Figure> wanted = new LinkedHashSet<>(figures);
        if (wanted.contains(Figure.RATIO)) {
            wanted.add(Figure.CHECKED);
            wanted.add(Figure.ERA_CHECK);
        }
        if (wanted.contains(Figure.METADATA_RATIO)) {
            wanted.add(Figure.METADATA_CHECKED);
            wanted.add(Figure.ERA_CHECK);
        }
        Map<Figure, BenchResult> got = new LinkedHashMap<>();
        List<Figure> jmh = wanted.stream().filter(Figure::isJmh).toList();
        if (!jmh.isEmpty()) {
            got.putAll(runJmh(jmh, s, verbose));
        }
        if (wanted.contains(Figure.ERA_CHECK)) {
            got.put(Figure.ERA_CHECK, EraCheckRate.measure(Figure.ERA_CHECK, s.eraCheckPasses()));
        }
        if (wanted.contains(Figure.RATIO)) {
            got.put(Figure.RATIO, ratio(Figure.RATIO, got.get(Figure.CHECKED), got.get(Figure.ERA_CHECK)));
        }
        if (wanted.contains(Figure.METADATA_RATIO)) {
            got.put(Figure.METADATA_RATIO, ratio(Figure.METADATA_RATIO, got.get(Figure.METADATA_CHECKED),
                    got.get(Figure.ERA_CHECK)));
        }
        Map<Figure, BenchResult> out = new LinkedHashMap<>();
        for (Figure f : Figure.ALL) {
            if (wanted.contains(f)) {
                out.put(f, got.get(f));
            }
        }
        return out;
    }

    /** a / b, its error from both relative errors (first order), NaN when either side is unknown. */
    static BenchResult ratio(Figure figure, BenchResult a, BenchResult b) {
        double value = a.value() / b.value();
        double error = value * Math.hypot(a.error() / a.value(), b.error() / b.value());
        return new BenchResult(figure, value, error, Math.min(a.samples(), b.samples()));
    }

    private static Map<Figure, BenchResult> runJmh(List<Figure> figures, Settings s, boolean verbose)
            throws RunnerException {
        ChainedOptionsBuilder opt = new OptionsBuilder()
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .warmupTime(TimeValue.milliseconds(s.warmupMillis()))
                .measurementIterations(s.iterations())
                .measurementTime(TimeValue.milliseconds(s.iterationMillis()))
                .threads(1)
                .jvmArgsAppend("-Xms256m", "-Xmx1g")
                .shouldFailOnError(true)
                .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT);
        for (Figure f : figures) {
            opt.include(f.pattern());
        }
        Collection<RunResult> results = new Runner(opt.build()).run();
        Map<Figure, BenchResult> out = new LinkedHashMap<>();
        for (Figure f : figures) {
            RunResult match = null;
            for (RunResult r : results) {
                if (r.getParams().getBenchmark().equals(f.benchmarkName())) {
                    match = r;
                }
            }
            if (match == null) {
                throw new IllegalStateException("JMH ran no benchmark for " + f.name() + " (" + f.benchmarkName()
                        + "); is META-INF/BenchmarkList on the class path?");
            }
            Result<?> primary = match.getPrimaryResult();
            out.put(f, new BenchResult(f, primary.getScore(), primary.getScoreError(), primary.getSampleCount()));
        }
        return out;
    }

    /** The figures as one JSON object: {"figures": {name: {value, error, unit, ...}}, "settings": {...}}. */
    public static String toJson(Map<Figure, BenchResult> results, Settings s, boolean quick) {
        StringBuilder b = new StringBuilder("{\"figures\":{");
        List<String> items = new ArrayList<>();
        for (BenchResult r : results.values()) {
            String note = Double.isNaN(r.value()) && !ThinTools.available()
                    && (r.figure() == Figure.ERA_CHECK || r.figure() == Figure.RATIO || r.figure() == Figure.METADATA_RATIO)
                    ? ",\"note\":" + quote("not measured: " + ThinTools.NOT_INSTALLED) : "";
            items.add(quote(r.figure().name()) + ":{\"value\":" + number(r.value()) + ",\"error\":" + number(r.error())
                    + ",\"confidence\":0.999,\"unit\":" + quote(r.figure().unit()) + ",\"samples\":" + r.samples()
                    + ",\"description\":" + quote(r.figure().description()) + note + "}");
        }
        b.append(String.join(",", items)).append("},\"settings\":{");
        b.append("\"quick\":").append(quick)
                .append(",\"forks\":").append(s.forks())
                .append(",\"warmup_iterations\":").append(s.warmupIterations())
                .append(",\"warmup_ms\":").append(s.warmupMillis())
                .append(",\"iterations\":").append(s.iterations())
                .append(",\"iteration_ms\":").append(s.iterationMillis())
                .append(",\"threads\":1")
                .append(",\"checked_states\":").append(CrashStateCheckBenchmark.STATES)
                .append(",\"checked_state_seed\":").append(CrashStateCheckBenchmark.STATE_SEED)
                .append(",\"era_check_passes\":").append(s.eraCheckPasses())
                .append(",\"cpus\":").append(Runtime.getRuntime().availableProcessors())
                .append(",\"jvm\":").append(quote(System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version")))
                .append("}}");
        return b.toString();
    }

    /** The figures as a plain table. */
    public static String toTable(Map<Figure, BenchResult> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-28s %16s %16s  %s%n", "figure", "value", "± (99.9%)", "unit"));
        for (BenchResult r : results.values()) {
            b.append(String.format("%-28s %16.1f %16s  %s%n", r.figure().name(), r.value(),
                    Double.isNaN(r.error()) ? "n/a" : String.format("%.1f", r.error()), r.figure().unit()));
        }
        return b.toString();
    }

    private static String number(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? "null" : Double.toString(d);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
