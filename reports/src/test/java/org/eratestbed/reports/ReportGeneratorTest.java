package org.eratestbed.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.ResultJson;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ViolationRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportGeneratorTest {
    @TempDir
    Path tmp;

    private ReportGenerator.Output twoShards() {
        Path a = SampleResults.write(tmp.resolve("c/shard-1"), "1/2", 42, 30, true, true);
        SampleResults.write(tmp.resolve("c/shard-2"), "2/2", 42, 20, true, false);
        return ReportGenerator.generate(List.of(tmp.resolve("c")), tmp.resolve("out"), null);
    }

    /** Validates against the JUnit XML shape CI reporters read (src/test/resources/junit-report.xsd). */
    static void validJUnit(Path file) throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        Schema schema = f.newSchema(ReportGeneratorTest.class.getResource("/junit-report.xsd"));
        schema.newValidator().validate(new StreamSource(file.toFile()));
    }

    static Document xml(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void countsAgreeAcrossTheThreeFiles() throws Exception {
        ReportGenerator.Output out = twoShards();
        assertEquals(1, out.exitCode());
        CampaignSummary s = out.summary();
        // Shard 1: runs 3,10,17,24 (tracking) + 9 (metadata); shard 2: 3,10,17 + 9. Known: 5,16,27 and 5,16.
        assertEquals(50, s.runs());
        assertEquals(9, s.violations().size());
        assertEquals(5, s.known().size());
        assertEquals(7, s.byOracle().get("tracking"));
        assertEquals(2, s.byOracle().get("metadata-consistency"));
        assertEquals(0, s.byOracle().get("liveness"));
        assertEquals(2, s.byDefect().get(CampaignSummary.UNATTRIBUTED));

        JsonNode json = new ObjectMapper().readTree(out.summaryJson().toFile());
        assertEquals("fail", json.get("verdict").asText());
        assertEquals(50, json.get("runs").asInt());
        assertEquals(s.statesChecked(), json.get("states_checked").asLong());
        assertTrue(json.get("states_total").isTextual());
        assertEquals(s.statesTotal().toString(), json.get("states_total").asText());
        assertEquals(9, json.get("violations").asInt());
        assertEquals(5, json.get("known_issues").asInt());
        assertEquals(7, json.get("violations_by_oracle").get("tracking").asInt());
        assertEquals(7, json.get("violations_by_defect").get(SampleResults.DEFECT).asInt());
        assertEquals(9, json.get("violation_list").size());
        assertEquals(2, json.get("shards").size());
        assertFalse(json.get("shards").get(1).get("done").asBoolean());
        JsonNode first = json.get("first_detection").get(0);
        assertEquals(SampleResults.DEFECT, first.get("defect").asText());
        assertEquals(7, first.get("count").asInt());

        validJUnit(out.junitXml());
        Document junit = xml(out.junitXml());
        Element root = junit.getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        assertEquals("15", root.getAttribute("tests"));
        assertEquals("9", root.getAttribute("failures"));
        assertEquals("5", root.getAttribute("skipped"));
        assertEquals(9, junit.getElementsByTagName("failure").getLength());
        assertEquals(5, junit.getElementsByTagName("skipped").getLength());
        NodeList suites = junit.getElementsByTagName("testsuite");
        assertEquals(4, suites.getLength(), "campaign, tracking, in-flight, metadata-consistency");
        assertEquals("era-testbed.campaign", ((Element) suites.item(0)).getAttribute("name"));
        assertEquals("era-testbed.oracle.tracking", ((Element) suites.item(1)).getAttribute("name"));
        assertEquals("7", ((Element) suites.item(1)).getAttribute("failures"));
        Element failure = (Element) junit.getElementsByTagName("failure").item(0);
        assertTrue(failure.getTextContent().contains("reproduce: era-testbed campaign --seed 42"));
        assertTrue(failure.getTextContent().contains("<script>alert('x')</script> & more"),
                "the XML parser gives back the script verbatim");

        String html = Files.readString(out.html());
        assertTrue(html.contains("FAIL — 9 violations of 2 oracles"), "verdict");
        assertTrue(html.contains("<div class=\"v\">50</div>"), "runs card");
        assertEquals(9, count(html, "<article class=\"finding\">"));
        assertEquals(5, count(html, "<article class=\"finding known\">"));
        assertTrue(html.contains("<h2 id=\"known\">Known upstream issues (5)</h2>"));
        assertTrue(html.contains("era-testbed campaign --seed 42 --variant upstream --replay-run 3 --state 17"));
        assertTrue(html.contains("Shard 2/2 ("), "an unfinished shard is a warning");
        assertTrue(html.contains("<svg class=\"chart\""), "inline SVG charts");
        assertEquals(2, count(html, "<svg class=\"chart\""));
        assertTrue(html.contains("<polyline class=\"series\""), "states-over-time lines");
        assertEquals(4 * 2, count(html, "<rect class=\"bar\""), "4 crash kinds x (violations, known)");
    }

    @Test
    void resultTextIsEscapedAndNothingIsFetched() throws IOException {
        String html = Files.readString(twoShards().html());
        assertTrue(html.contains("write 7 1   # &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"), html);
        assertTrue(html.contains("(&lt;b&gt;lost&lt;/b&gt; &amp; gone)"));
        String lower = html.toLowerCase();
        assertFalse(lower.contains("<script"), "no script, not even one from the results");
        assertFalse(lower.contains("<b>lost"), "markup from a message stays text");
        for (String fetch : new String[] {"http:", "https:", "src=", "<link", "url(", "@import", "<img", "<iframe"}) {
            assertFalse(lower.contains(fetch), "a self-contained report has no " + fetch);
        }
    }

    @Test
    void aCleanCampaignPassesWithExitZero() throws Exception {
        Path dir = SampleResults.write(tmp.resolve("clean"), "1/1", 7, 12, false, true);
        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, null);
        assertEquals(0, out.exitCode(), "known issues are not failures");
        assertEquals(dir.resolve("report.html"), out.html());
        assertTrue(Files.readString(out.html()).contains("PASS — no violation in "));
        validJUnit(out.junitXml());
        Document junit = xml(out.junitXml());
        assertEquals("0", junit.getDocumentElement().getAttribute("failures"));
        assertEquals(1, junit.getElementsByTagName("skipped").getLength(), "run 5's known issue");
        Element summary = (Element) junit.getElementsByTagName("testcase").item(0);
        assertTrue(summary.getAttribute("name").startsWith("crash states checked: "), summary.getAttribute("name"));
        assertEquals(0, summary.getElementsByTagName("failure").getLength());
        assertEquals("pass", new ObjectMapper().readTree(out.summaryJson().toFile()).get("verdict").asText());
    }

    @Test
    void controlCharactersInResultsKeepTheXmlParsable() throws Exception {
        Path dir = tmp.resolve("ctl");
        SampleResults.write(dir, "1/1", 3, 4, true, true);
        String line = Files.readAllLines(dir.resolve("results.jsonl")).stream()
                .filter(l -> l.contains("\"violation\"")).findFirst().orElseThrow()
                .replace("\"run\":3,", "\"run\":99,").replace("lost", "lo\\u0001st\\u001b[0m");
        Files.writeString(dir.resolve("results.jsonl"), line + "\n", StandardOpenOption.APPEND);
        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, null);
        validJUnit(out.junitXml());
        Document junit = xml(out.junitXml());
        assertTrue(junit.getDocumentElement().getTextContent().contains("lo\ufffdst\ufffd[0m"));
        assertFalse(Files.readString(out.html()).contains("\u0001"));
    }

    @Test
    void jcstressTablesAreIncludedWhenGiven() throws IOException {
        Path dir = SampleResults.write(tmp.resolve("r"), "1/1", 1, 3, false, true);
        Path summary = tmp.resolve("jcstress-summary.json");
        Files.writeString(summary, """
                {
                  "tool": "jcstress",
                  "tests": [
                    {"test": "org.eratestbed.stress.WritesetMarkRace", "result": "INTERESTING", "samples": 2000,
                     "configurations": [{"jvmOptions": "[-Xmx256m]", "status": "OK", "samples": 2000}],
                     "outcomes": [
                       {"state": "1, 0", "expect": "ACCEPTABLE_INTERESTING", "description": "bit set <before> commit", "observed": 3},
                       {"state": "1, 1", "expect": "ACCEPTABLE", "description": "both", "observed": 1997}]}
                  ]
                }
                """);
        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, summary);
        assertTrue(out.withJcstress());
        String html = Files.readString(out.html());
        assertTrue(html.contains("org.eratestbed.stress.WritesetMarkRace"));
        assertTrue(html.contains("<td>ACCEPTABLE_INTERESTING</td><td class=\"num\">3</td><td class=\"num\">0.2%</td>"
                + "<td>bit set &lt;before&gt; commit</td>"), html);
        JsonNode json = new ObjectMapper().readTree(out.summaryJson().toFile());
        assertEquals(1, json.get("jcstress").get("by_result").get("INTERESTING").asInt());

        Files.writeString(summary, "{\"tool\": \"jcstress\", \"tests\": [{\"test\": 5}]}");
        BadInputException e = assertThrows(BadInputException.class,
                () -> ReportGenerator.generate(List.of(dir), null, summary));
        assertTrue(e.getMessage().contains("tests[0]: \"test\" missing or not a string"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> ReportGenerator.generate(List.of(dir), null, tmp.resolve("none.json")));
        assertTrue(e.getMessage().contains("no such jcstress summary"), e.getMessage());
    }

    @Test
    void badInputIsBadInputException() throws IOException {
        assertThrows(BadInputException.class, () -> ReportGenerator.generate(List.of(tmp.resolve("nope")), null,
                null));
        Path dir = SampleResults.write(tmp.resolve("r"), "1/1", 1, 3, false, true);
        Files.write(dir.resolve("profile.jfr"), "not a recording".getBytes(StandardCharsets.UTF_8));
        BadInputException e = assertThrows(BadInputException.class,
                () -> ReportGenerator.generate(List.of(dir), null, null));
        assertTrue(e.getMessage().contains("profile.jfr: not a readable JFR recording"), e.getMessage());
    }

    @Test
    void anEmptyCampaignRendersAndPasses() throws Exception {
        Path dir = tmp.resolve("empty");
        ResultLog.open(dir, CampaignInfo.of(1, "hardened", "1s", "1/1", Instant.now(), "dev")).close();
        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, null);
        assertEquals(0, out.exitCode());
        String html = Files.readString(out.html());
        assertTrue(html.contains("PASS — no violation in 0 crash states of 0 runs"));
        assertFalse(html.contains("NaN") || html.contains("Infinity"), "charts of nothing still have numbers");
        validJUnit(out.junitXml());
    }

    @Test
    void findingsOfARunCutShortAreShownUnderTheirOwnCrashKind() throws Exception {
        Path dir = SampleResults.write(tmp.resolve("cut"), "1/1", 3, 2, false, false);
        // A campaign killed between a violation and its run record, and never resumed: the reader keeps it.
        String orphan = ResultJson.toLine(new ViolationRecord("1/1", 2, 32, "upstream", "liveness", null,
                "status blocked", "none", "1 of 1", "target block_size=8 origin_blocks=8 metadata_mib=4\n",
                List.of(), "era-testbed campaign --seed 3 --replay-run 2", 500));
        Files.writeString(dir.resolve("results.jsonl"), orphan + "\n", StandardOpenOption.APPEND);
        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, null);
        assertEquals(1, out.exitCode());
        assertEquals(1, out.summary().crashKinds().get(CampaignSummary.RUN_NOT_COMPLETED).violations());
        assertTrue(Files.readString(out.html()).contains(">run not completed</text>"));
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
