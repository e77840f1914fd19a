package org.eratestbed.stress.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The parser on real jcstress 0.16 pages (src/test/resources/jcstress-0.16-pages, copied from runs of this
 * module; ForbiddenSplit was a throw-away test that declared the split value's torn read FORBIDDEN, to capture
 * a FAILED page).
 */
class ResultPageTest {
    private static final String DIR = "/jcstress-0.16-pages/";

    private static String page(String name) throws IOException {
        try (InputStream in = ResultPageTest.class.getResourceAsStream(DIR + name + ".html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void passedPageSumsEveryConfiguration() throws IOException {
        TestSummary s = ResultPage.parse(page("org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered"));
        assertEquals("org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered", s.test());
        assertEquals(List.of(
                new Outcome("0, -5", Expectation.ACCEPTABLE,
                        "Not complete when tested; the result was stored meanwhile (unused).", 459 + 15),
                new Outcome("0, 0", Expectation.ACCEPTABLE, "Not complete yet: the caller would keep waiting.",
                        31871405 + 1238176),
                new Outcome("1, -5", Expectation.ACCEPTABLE, "Complete, and the caller reads the worker's -EIO.",
                        801947 + 336740)), s.outcomes());
        assertEquals(2, s.configurations().size());
        assertEquals(new TestSummary.Configuration("[-XX:+UseBiasedLocking, -Xmx256m]", "OK", 459 + 31871405 + 801947),
                s.configurations().get(0));
        assertEquals(TestSummary.Result.PASSED, s.result());
    }

    @Test
    void interestingPageKeepsEachObservedTornValue() throws IOException {
        TestSummary s = ResultPage.parse(page("org.eratestbed.stress.jcstress.SplitValue64TornRead"));
        assertEquals(4, s.outcomes().size());
        assertEquals(new Outcome("0", Expectation.ACCEPTABLE_INTERESTING, "Torn: one 32-bit half old, the other new.",
                40276 + 2538), s.outcomes().get(0));
        assertEquals(new Outcome("8589934591", Expectation.ACCEPTABLE_INTERESTING,
                "Torn: one 32-bit half old, the other new.", 15), s.outcomes().get(3));
        assertEquals(TestSummary.Result.INTERESTING, s.result());
    }

    @Test
    void forbiddenOutcomeInOneConfigurationFailsTheTest() throws IOException {
        TestSummary s = ResultPage.parse(page("org.eratestbed.stress.tmp.ForbiddenSplit"));
        assertEquals(new Outcome("0", Expectation.FORBIDDEN, "Torn: one 32-bit half old, the other new.", 3),
                s.outcomes().get(0));
        assertEquals(List.of("OK", "FAILED"), s.configurations().stream().map(TestSummary.Configuration::status).toList());
        assertEquals(TestSummary.Result.FAILED, s.result());
    }

    @Test
    void declaredButUnobservedOutcomesAreAddedWithZeroCounts() throws IOException {
        // The declarations come from the jcstress test list this module's build generated (target/classes).
        TestSummary s = ResultPage.parse(page("org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered"));
        TestSummary full = DeclaredOutcome.addUnobserved(s, DeclaredOutcome.of(s.test()));
        assertEquals(List.of(
                new Outcome("1, 0", Expectation.ACCEPTABLE_INTERESTING,
                        "M4: complete, but the caller reads the stale result 0: the commit's -EIO is lost.", 0),
                // jcstress's implicit catch-all for a test without one.
                new Outcome(Outcome.OTHER, Expectation.FORBIDDEN, "No default case provided, assume Forbidden", 0)),
                full.outcomes().subList(3, 5));
        assertEquals(TestSummary.Result.PASSED, full.result(), "an interesting outcome never seen is not interesting");
    }

    @Test
    void catchAllCountsAsSeenWhenAStateMatchesNoDeclaredId() throws IOException {
        TestSummary s = ResultPage.parse(page("org.eratestbed.stress.jcstress.SplitValue64TornRead"));
        List<DeclaredOutcome> declared = List.of(
                new DeclaredOutcome(Pattern.compile("4294967295"), Expectation.ACCEPTABLE, "old"),
                new DeclaredOutcome(Pattern.compile("4294967296"), Expectation.ACCEPTABLE, "new"),
                new DeclaredOutcome(null, Expectation.ACCEPTABLE_INTERESTING, "torn"));
        assertEquals(s.outcomes(), DeclaredOutcome.addUnobserved(s, declared).outcomes());
        TestSummary onlyOld = new TestSummary(s.test(), s.configurations(), List.of(s.outcomes().get(1)));
        List<Outcome> added = DeclaredOutcome.addUnobserved(onlyOld, declared).outcomes();
        assertEquals(List.of("4294967295", "4294967296", Outcome.OTHER), added.stream().map(Outcome::state).toList());
    }

    @Test
    void aPageWithoutAResultsTableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultPage.parse("<html><h1>some.Test</h1><h3>Messages</h3></html>"));
        assertEquals("some.Test: no 'Results' table", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResultPage.parse("<html>FATAL: No matching tests.</html>"));
    }

    @Test
    void readsAResultsFolderSkippingTheIndexAndWritesJson() throws URISyntaxException {
        Path dir = Path.of(ResultPageTest.class.getResource(DIR + "index.html").toURI()).getParent();
        List<TestSummary> tests = JcstressSummary.read(dir);
        assertEquals(List.of("org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered",
                "org.eratestbed.stress.jcstress.SplitValue64TornRead", "org.eratestbed.stress.tmp.ForbiddenSplit"),
                tests.stream().map(TestSummary::test).toList());
        String json = SummaryJson.write(tests);
        assertTrue(json.contains("{\"test\": \"org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered\", \"result\": "
                + "\"PASSED\", \"samples\": 34248742,"), json);
        assertTrue(json.contains("{\"state\": \"1, 0\", \"expect\": \"ACCEPTABLE_INTERESTING\", \"description\": \"M4: "
                + "complete, but the caller reads the stale result 0: the commit's -EIO is lost.\", \"observed\": 0}"), json);
        assertTrue(json.contains("\"result\": \"FAILED\""), json);
    }

    @Test
    void everyTestOfTheTestListWithoutAPageIsReportedAsNotRun() throws URISyntaxException {
        // The test list this module's build generated (target/classes/META-INF/TestList).
        List<String> none = JcstressSummary.notRun(List.of());
        assertTrue(none.containsAll(List.of("org.eratestbed.stress.jcstress.RpcHandshakeCompletion",
                "org.eratestbed.stress.jcstress.InflightWriteAcrossSnapshot",
                "org.eratestbed.stress.jcstress.InflightWriteDrainedBeforeSnapshot",
                "org.eratestbed.stress.jcstress.IncoreBitBeforeCommit",
                "org.eratestbed.stress.jcstress.IncoreBitAfterCommit",
                "org.eratestbed.stress.jcstress.ArchivedWritesetsUnbarriered",
                "org.eratestbed.stress.jcstress.ArchivedWritesetsPublished",
                "org.eratestbed.stress.jcstress.CurrentWritesetSwap")), none::toString);
        Path dir = Path.of(ResultPageTest.class.getResource(DIR + "index.html").toURI()).getParent();
        List<String> afterTwoPages = JcstressSummary.notRun(JcstressSummary.read(dir));
        assertTrue(!afterTwoPages.contains("org.eratestbed.stress.jcstress.RpcHandshakeUnbarriered")
                && afterTwoPages.contains("org.eratestbed.stress.jcstress.RpcHandshakeCompletion"), afterTwoPages::toString);
    }

    @Test
    void jsonStringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", SummaryJson.str("a\"b\\c\nd\u0001"));
    }
}
