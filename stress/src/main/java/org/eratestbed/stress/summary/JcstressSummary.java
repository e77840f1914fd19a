package org.eratestbed.stress.summary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes {@code jcstress-summary.json} from a jcstress results folder: every per-test page parsed, enriched with
 * the outcomes each test declared but never showed. Run by the build after jcstress:
 * {@code JcstressSummary <results dir> <summary.json>}. Exits 1 when the folder holds no test page (jcstress did
 * not run) or a page cannot be read.
 */
public final class JcstressSummary {
    private JcstressSummary() {
    }

    /** The summaries of every test page in {@code resultsDir}, sorted by test name. */
    public static List<TestSummary> read(Path resultsDir) {
        List<Path> pages;
        try (Stream<Path> files = Files.list(resultsDir)) {
            pages = files.filter(p -> p.getFileName().toString().endsWith(".html"))
                    .filter(p -> !p.getFileName().toString().equals("index.html"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + resultsDir, e);
        }
        List<TestSummary> tests = new ArrayList<>();
        for (Path page : pages) {
            try {
                TestSummary s = ResultPage.parse(Files.readString(page, StandardCharsets.UTF_8));
                tests.add(DeclaredOutcome.addUnobserved(s, DeclaredOutcome.of(s.test())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + page, e);
            }
        }
        return tests;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: JcstressSummary <jcstress results dir> <summary.json>");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        List<TestSummary> tests;
        try {
            tests = read(results);
        } catch (RuntimeException e) {
            System.err.println("jcstress summary: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (tests.isEmpty()) {
            System.err.println("jcstress summary: no test result pages in " + results);
            System.exit(1);
        }
        Files.writeString(Path.of(args[1]), SummaryJson.write(tests), StandardCharsets.UTF_8);
        for (TestSummary s : tests) {
            System.out.printf("%-12s %s (%,d samples)%n", s.result(), s.test(), s.samples());
        }
    }
}
