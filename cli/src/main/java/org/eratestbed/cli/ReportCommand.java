package org.eratestbed.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.reports.CampaignSummary;
import org.eratestbed.reports.ReportGenerator;
import org.eratestbed.reports.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Render campaign results as report.html (self-contained), summary.json and junit.xml.",
            "Exit 0 if no violation (known upstream issues aside), 1 if there are violations, 2 for bad input."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RESULTS_DIR", arity = "1..*",
            description = "results folders (campaign.json + results.jsonl), or folders of shard folders")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: the first RESULTS_DIR)")
    Path out;

    @Option(names = "--jcstress", paramLabel = "FILE",
            description = "jcstress summary to include (default: stress/target/jcstress-summary.json if present)")
    Path jcstress;

    @Override
    public Integer call() {
        return print(spec.commandLine().getOut(), ReportGenerator.generate(inputs, out, jcstress));
    }

    /** Prints where the report went and what it says; returns the exit code (shared with {@code campaign}). */
    static int print(PrintWriter w, ReportGenerator.Output o) {
        w.println(o.html());
        w.println(o.summaryJson());
        w.println(o.junitXml());
        summary(w, o.summary());
        return o.exitCode();
    }

    /** The campaign's outcome in a line, and each violation with its reproduce command. */
    static void summary(PrintWriter w, CampaignSummary s) {
        long device = s.knownFromDeviceFaults();
        w.println(Text.count(s.runs()) + " runs, " + Text.count(s.statesChecked()) + " crash states checked, "
                + s.violations().size() + " violations, " + (s.known().size() - device)
                + " known upstream issues, " + device + " explained by injected device faults"
                + (s.unfinished().isEmpty() ? "" : ", " + s.unfinished().size() + " shards not finished"));
        if (s.failed()) {
            w.println("FAIL: violations by oracle: " + s.byOracle().entrySet().stream()
                    .filter(e -> e.getValue() > 0).map(e -> e.getKey() + " " + e.getValue())
                    .reduce((a, b) -> a + ", " + b).orElse(""));
            for (Finding f : s.violations()) {
                // Text.clean: a message is data from a results file; no escape sequence reaches the terminal.
                w.println(Text.clean("  " + f.oracle() + " ["
                        + (f.defect() == null ? CampaignSummary.UNATTRIBUTED : f.defect()) + "] shard " + f.shard()
                        + " run " + f.run() + " state " + f.state() + ": " + f.message()));
                w.println(Text.clean("    reproduce: " + f.reproduce()));
            }
        }
        w.flush();
    }
}
