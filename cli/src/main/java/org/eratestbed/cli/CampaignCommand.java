package org.eratestbed.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.campaign.Campaign;
import org.eratestbed.fault.campaign.Oracles;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.reports.ReportGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "campaign", mixinStandardHelpOptions = true,
        description = "Run a fault-injection campaign on the model over simulated disks: random workloads and "
                + "interleavings, crashes inside commits, at flush boundaries and at random steps, every oracle "
                + "on every checked crash state. Writes results.jsonl and a report (report.html, summary.json, "
                + "junit.xml) into the output folder. A killed campaign started again with the same options "
                + "resumes where it stopped; a finished one started again runs nothing new and, within the budget, "
                + "triages the findings its budget left untriaged (see --triage).")
final class CampaignCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", description = "campaign seed (default: 1); runs are derived from it")
    long seed = 1;

    @Option(names = "--budget", defaultValue = "60s", description = "time budget, e.g. 60s, 10m (default 60s)")
    String budget;

    @Option(names = "--runs", description = "exactly this many runs instead of a time budget")
    int runs;

    @Option(names = "--variant", defaultValue = "upstream",
            description = "upstream (default), as-reviewed, pre-5.12 or hardened")
    String variant;

    @Option(names = "--shard", defaultValue = "1/1", description = "K/N: run only every N-th run, starting at K")
    String shard;

    @Option(names = "--out", paramLabel = "DIR", description = "results folder (default: campaign-<variant>-<seed>)")
    Path out;

    @Option(names = "--states", defaultValue = "16", description = "crash states checked per run (default 16)")
    int states;

    @Option(names = "--reproduce", paramLabel = "DIR",
            description = "replay a finding's reproducer folder instead of running a campaign")
    Path reproduce;

    @Option(names = "--triage", paramLabel = "DIR",
            description = "triage the findings a campaign's budget left untriaged in results folder DIR and shrink "
                    + "the first findings it wrote whole (all of them, or what --budget allows), then render its "
                    + "report; no new runs")
    Path triage;

    @Option(names = "--no-report", description = "do not render the report at the end")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Variant v = Variant.parse(variant);
        if (reproduce != null) {
            return reproduce(o, v);
        }
        int[] kn = parseShard(shard);
        Duration d = parseBudget(budget);
        if (triage != null) {
            return triage(o, spec.commandLine().getParseResult().hasMatchedOption("--budget") ? d : null);
        }
        if (runs < 0 || states < 1) {
            throw new BadInputException("--runs must be >= 0 and --states >= 1");
        }
        Path dir = out != null ? out : Path.of("campaign-" + v.id() + "-" + seed);
        Campaign.Config cfg = new Campaign.Config(seed, v, d, runs, kn[0], kn[1], dir, states, version());
        o.println("campaign: seed " + seed + ", variant " + v.id() + ", shard " + shard + ", "
                + (runs > 0 ? runs + " runs" : "budget " + d.toSeconds() + "s") + " -> " + dir);
        o.flush();
        Files.createDirectories(dir);
        Campaign.Session session;
        try (Recording jfr = new Recording(Configuration.getConfiguration("profile"))) {
            jfr.setToDisk(true);
            jfr.start();
            boolean terminal = System.console() != null;
            long total = runs > 0 ? (runs + kn[1] - 1) / kn[1] : d.toSeconds();
            try (ProgressBar bar = terminal ? new ProgressBarBuilder().setTaskName("runs").setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).build() : null) {
                long[] lastLine = {0};
                session = new Campaign(cfg).run(p -> {
                    if (bar != null) {
                        bar.stepTo(runs > 0 ? p.runsDone() : p.elapsedMs() / 1000);
                        bar.setExtraMessage(p.statesChecked() + " states, " + p.violations() + " violations, "
                                + p.known() + " known" + (p.pending() > 0 ? ", " + p.pending() + " to attribute" : ""));
                    } else if (p.elapsedMs() - lastLine[0] >= 5000) {
                        lastLine[0] = p.elapsedMs();
                        o.println("  " + p.runsDone() + " runs, " + p.statesChecked() + " states, " + p.violations()
                                + " violations, " + p.known() + " known, "
                                + (p.pending() > 0 ? p.pending() + " to attribute, " : "") + p.elapsedMs() / 1000 + "s");
                        o.flush();
                    }
                });
            }
            jfr.stop();
            // A session that found the campaign finished and changed nothing keeps the profile of the one
            // that did the work (a campaign started again after a kill during its report, say).
            if (session.changed() || !Files.exists(dir.resolve(ReportGenerator.PROFILE))) {
                jfr.dump(dir.resolve(ReportGenerator.PROFILE));
            }
        }
        return finish(o, dir, session);
    }

    private int triage(PrintWriter o, Duration limit) {
        o.println("campaign --triage " + triage + (limit == null ? "" : ", budget " + limit.toSeconds() + "s"));
        o.flush();
        Campaign.Session session = Campaign.triage(triage, limit, version(), p -> { });
        return finish(o, triage, session);
    }

    private int finish(PrintWriter o, Path dir, Campaign.Session session) {
        if (session.triaged() > 0) {
            o.println("  triaged " + session.triaged() + " finding(s) an earlier session wrote as found");
        }
        if (session.untriaged() > 0) {
            o.println("  " + session.untriaged() + " finding(s) not triaged within the budget: written as violations "
                    + "with defect '" + Finding.UNTRIAGED + "' and their whole plan; replay each with its "
                    + "reproduce command (campaign --reproduce DIR); triage them with campaign --triage " + dir);
        }
        o.flush();
        if (noReport) {
            // No files, but the outcome all the same: a user of --no-report still wants to know what was found.
            ReportCommand.summary(o, org.eratestbed.reports.Summarizer.summarize(
                    org.eratestbed.fault.result.ResultReader.read(dir)));
            return EraTestbed.EXIT_OK;
        }
        return ReportCommand.print(o, ReportGenerator.generate(List.of(dir), dir, null));
    }

    private int reproduce(PrintWriter o, Variant v) {
        Campaign.Reproduction r = Campaign.reproduce(reproduce, v);
        o.println("plan: seed " + Long.toUnsignedString(r.plan().seed()) + ", window " + r.plan().window()
                + ", crash at " + r.crashPoint());
        o.println(r.plan().script().toText().strip());
        if (r.violation() == null && !r.expected().isEmpty()) {
            // A reproducer of a run with device faults: what it shows is the device's doing, not dm-era's.
            for (Oracles.Expected e : r.expected()) {
                o.println("EXPECTED (" + e.violation().oracle() + ") on " + v.id() + ", explained by the device fault "
                        + e.fault() + " (" + e.deviceCause() + "): " + e.violation().message());
                o.println("  " + e.violation().state());
            }
            return EraTestbed.EXIT_OK;
        }
        if (r.violation() == null) {
            o.println("no violation on " + v.id() + ": the finding does not reproduce here");
            return EraTestbed.EXIT_OK;
        }
        o.println("VIOLATION (" + r.violation().oracle() + ") on " + v.id() + ": " + r.violation().message());
        o.println("  " + r.violation().state());
        return EraTestbed.EXIT_VIOLATION;
    }

    static int[] parseShard(String s) {
        String[] kn = s.split("/");
        try {
            int k = Integer.parseInt(kn[0]);
            int n = Integer.parseInt(kn[1]);
            if (kn.length == 2 && n >= 1 && k >= 1 && k <= n) {
                return new int[] {k, n};
            }
        } catch (RuntimeException e) {
            // fall through
        }
        throw new BadInputException("--shard must be K/N with 1 <= K <= N, not '" + s + "'");
    }

    static Duration parseBudget(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h)").matcher(s);
        if (!m.matches()) {
            throw new BadInputException("--budget must be a number with ms, s, m or h, e.g. 60s, not '" + s + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String version() {
        String v = CampaignCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
