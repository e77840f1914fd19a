package org.eratestbed.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.Results;
import org.eratestbed.fault.result.ShardResults;
import org.eratestbed.reports.html.HtmlReport;
import org.eratestbed.reports.jcstress.JcstressSummary;
import org.eratestbed.reports.jfr.JfrProfile;
import org.eratestbed.reports.jfr.JfrProfileReader;

/**
 * Turns results folders into {@code report.html}, {@code summary.json} and {@code junit.xml}: what
 * {@code era-testbed report} does.
 */
public final class ReportGenerator {
    public static final String HTML = "report.html";
    public static final String SUMMARY = "summary.json";
    public static final String JUNIT = "junit.xml";
    /** A JFR recording of the campaign, if the campaign made one. */
    public static final String PROFILE = "profile.jfr";
    /** Where the stress suite leaves its summary, relative to the project folder. */
    public static final Path DEFAULT_JCSTRESS = Path.of("stress", "target", "jcstress-summary.json");

    /** 0: no violation (known issues aside); 1: violations. Bad input throws instead (exit 2). */
    public record Output(Path html, Path summaryJson, Path junitXml, CampaignSummary summary, boolean withJcstress,
            boolean withProfile) {
        public int exitCode() {
            return summary.failed() ? 1 : 0;
        }
    }

    private ReportGenerator() {
    }

    /**
     * @param inputs   results folders (or folders of shard folders), at least one
     * @param out      output folder, or null for the first input
     * @param jcstress a jcstress summary the user named (must exist), or null to use
     *                 {@link #DEFAULT_JCSTRESS} when it exists
     */
    public static Output generate(List<Path> inputs, Path out, Path jcstress) {
        Results results = ResultReader.read(inputs);
        CampaignSummary summary = Summarizer.summarize(results);

        JcstressSummary stress = null;
        if (jcstress != null) {
            if (!Files.isRegularFile(jcstress)) {
                throw new BadInputException(jcstress + ": no such jcstress summary");
            }
            stress = JcstressSummary.read(jcstress);
        } else if (Files.isRegularFile(DEFAULT_JCSTRESS)) {
            stress = JcstressSummary.read(DEFAULT_JCSTRESS);
        }

        List<Path> recordings = recordings(inputs, results);
        JfrProfile profile = recordings.isEmpty() ? null : JfrProfileReader.read(recordings);

        Path dir = out != null ? out : folderOf(inputs.get(0));
        Instant now = Instant.now();
        List<String> names = inputs.stream().map(Path::toString).toList();
        Path html = dir.resolve(HTML);
        Path json = dir.resolve(SUMMARY);
        Path junit = dir.resolve(JUNIT);
        try {
            Files.createDirectories(dir);
            Files.writeString(html, HtmlReport.render(summary, stress, profile, names, now), StandardCharsets.UTF_8);
            Files.writeString(json, SummaryJson.write(summary, stress, profile), StandardCharsets.UTF_8);
            Files.writeString(junit, JUnitXml.write(summary, now), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot write the report: " + e.getMessage(), e);
        }
        return new Output(html, json, junit, summary, stress != null, profile != null);
    }

    /** {@code profile.jfr} in the folders named and in each shard's folder, each once. */
    private static List<Path> recordings(List<Path> inputs, Results results) {
        Set<Path> folders = new LinkedHashSet<>();
        for (Path p : inputs) {
            folders.add(folderOf(p).toAbsolutePath().normalize());
        }
        for (ShardResults s : results.shards()) {
            folders.add(s.folder().toAbsolutePath().normalize());
        }
        List<Path> found = new ArrayList<>();
        for (Path f : folders) {
            Path jfr = f.resolve(PROFILE);
            if (Files.isRegularFile(jfr)) {
                found.add(jfr);
            }
        }
        return found;
    }

    private static Path folderOf(Path input) {
        return Files.isRegularFile(input) ? input.toAbsolutePath().getParent() : input;
    }
}
