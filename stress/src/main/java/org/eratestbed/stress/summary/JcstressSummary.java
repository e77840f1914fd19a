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
 * {@code JcstressSummary <summary.json> <results dir>...} (one folder per jcstress invocation). Exits 1 when a
 * folder holds no test page (jcstress did not run), a page cannot be read, or a test of the test list has no
 * page in any folder (no invocation's {@code -t} matched it).
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

    /**
     * The tests of this build's jcstress test list (META-INF/TestList on the class path) that have no page in
     * any of {@code found}: jcstress exits 0 when a {@code -t} regex matches nothing, so a test whose name no
     * invocation's regex matches would otherwise just be missing from the summary.
     */
    public static List<String> notRun(List<TestSummary> found) {
        java.util.Set<String> ran = new java.util.HashSet<>();
        found.forEach(s -> ran.add(s.test()));
        List<String> missing = new ArrayList<>();
        for (String test : new java.util.TreeSet<>(org.openjdk.jcstress.infra.runners.TestList.tests())) {
            if (!ran.contains(test)) {
                missing.add(test);
            }
        }
        return missing;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JcstressSummary <summary.json> <jcstress results dir>...");
            System.exit(2);
        }
        List<TestSummary> tests = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path results = Path.of(args[i]);
            List<TestSummary> here;
            try {
                here = read(results);
            } catch (RuntimeException e) {
                System.err.println("jcstress summary: " + e.getMessage());
                System.exit(1);
                return;
            }
            if (here.isEmpty()) {
                System.err.println("jcstress summary: no test result pages in " + results);
                System.exit(1);
            }
            tests.addAll(here);
        }
        tests.sort(java.util.Comparator.comparing(TestSummary::test));
        List<String> missing = notRun(tests);
        if (!missing.isEmpty()) {
            System.err.println("jcstress summary: tests in the test list that no run matched: " + missing);
            System.exit(1);
        }
        Files.writeString(Path.of(args[0]), SummaryJson.write(tests), StandardCharsets.UTF_8);
        for (TestSummary s : tests) {
            System.out.printf("%-12s %s (%,d samples)%n", s.result(), s.test(), s.samples());
        }
    }
}
