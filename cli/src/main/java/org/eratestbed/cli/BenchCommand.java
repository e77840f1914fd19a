package org.eratestbed.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eratestbed.cli.bench.BenchResult;
import org.eratestbed.cli.bench.BenchRunner;
import org.eratestbed.cli.bench.Figure;
import org.eratestbed.device.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the JMH benchmarks and print their figures.",
            "--json prints one object: {\"figures\": {<name>: {\"value\", \"error\" (99.9%% CI half-width, null if "
                + "unknown), \"unit\", ...}}, \"settings\": {...}}."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--quick", description = "Short iterations (1 warm-up + 2 x 200 ms): a smoke test, not a figure.")
    boolean quick;

    @Option(names = "--forks", paramLabel = "N", defaultValue = "1",
            description = "JMH forks (default ${DEFAULT-VALUE}; 0 runs in this JVM).")
    int forks;

    @Option(names = "--figure", paramLabel = "NAME", description = "Only this figure (repeatable).")
    List<String> only;

    @Option(names = "--verbose", description = "Show JMH's own progress output on stdout.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (forks < 0) {
            throw new BadInputException("--forks must be 0 or more, not " + forks);
        }
        List<Figure> figures = new ArrayList<>();
        if (only == null || only.isEmpty()) {
            figures.addAll(Figure.ALL);
        } else {
            for (String name : only) {
                Figure f = Figure.named(name);
                if (f == null) {
                    throw new BadInputException("unknown figure '" + name + "' (known: "
                            + String.join(", ", Figure.ALL.stream().map(Figure::name).toList()) + ")");
                }
                figures.add(f);
            }
        }
        BenchRunner.Settings settings = quick ? BenchRunner.Settings.quick(forks) : BenchRunner.Settings.full(forks);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!json) {
            err.println("bench: " + figures.size() + " figure(s), " + settings);
            err.flush();
        }
        Map<Figure, BenchResult> results = BenchRunner.run(figures, settings, verbose && !json);
        out.print(json ? BenchRunner.toJson(results, settings, quick) + System.lineSeparator()
                : BenchRunner.toTable(results));
        out.flush();
        return EraTestbed.EXIT_OK;
    }
}
