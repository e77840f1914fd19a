package org.eratestbed.reports;

import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;

/**
 * {@code junit.xml} in the common JUnit XML schema that Jenkins, GitLab and GitHub test reporters read:
 * a {@code testsuite} "era-testbed.campaign" whose one test case sums up what was checked (and passes),
 * then one {@code testsuite} per oracle with findings: a failing test case per violation (message, then
 * the reproducer and the shrunk script), a skipped one per known issue.
 */
public final class JUnitXml {
    static final String PREFIX = "era-testbed.";

    private JUnitXml() {
    }

    public static String write(CampaignSummary s, Instant generated) {
        Map<String, List<Finding>> byOracle = new LinkedHashMap<>();
        OracleIds.ALL.forEach(o -> byOracle.put(o, new ArrayList<>()));
        s.violations().forEach(f -> byOracle.computeIfAbsent(f.oracle(), k -> new ArrayList<>()).add(f));
        s.known().forEach(f -> byOracle.computeIfAbsent(f.oracle(), k -> new ArrayList<>()).add(f));
        byOracle.values().removeIf(List::isEmpty);

        int tests = 1 + s.violations().size() + s.known().size();
        String seconds = seconds(s.elapsedMs());
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            nl(x);
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "era-testbed campaign");
            x.writeAttribute("tests", Integer.toString(tests));
            x.writeAttribute("failures", Integer.toString(s.violations().size()));
            x.writeAttribute("errors", "0");
            x.writeAttribute("skipped", Integer.toString(s.known().size()));
            x.writeAttribute("time", seconds);
            nl(x);

            suiteStart(x, PREFIX + "campaign", 1, 0, 0, seconds, generated, s);
            x.writeStartElement("testcase");
            x.writeAttribute("classname", PREFIX + "campaign");
            x.writeAttribute("name", clean("crash states checked: " + s.statesChecked() + " in " + s.runs()
                    + " runs (variant " + String.join(", ", s.variants()) + ")"));
            x.writeAttribute("time", seconds);
            x.writeEndElement();
            nl(x);
            x.writeStartElement("system-out");
            x.writeCharacters(clean(campaignText(s)));
            x.writeEndElement();
            nl(x);
            x.writeEndElement();
            nl(x);

            for (Map.Entry<String, List<Finding>> e : byOracle.entrySet()) {
                String suite = PREFIX + "oracle." + e.getKey();
                List<Finding> findings = e.getValue();
                int failures = (int) findings.stream().filter(f -> !(f instanceof KnownRecord)).count();
                suiteStart(x, suite, findings.size(), failures, findings.size() - failures, "0", generated, s);
                for (Finding f : findings) {
                    testcase(x, suite, f);
                }
                x.writeEndElement();
                nl(x);
            }
            x.writeEndElement();
            nl(x);
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML", e);
        }
        return out.toString();
    }

    private static void suiteStart(XMLStreamWriter x, String name, int tests, int failures, int skipped,
            String time, Instant generated, CampaignSummary s) throws XMLStreamException {
        x.writeStartElement("testsuite");
        x.writeAttribute("name", name);
        x.writeAttribute("tests", Integer.toString(tests));
        x.writeAttribute("failures", Integer.toString(failures));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", Integer.toString(skipped));
        x.writeAttribute("time", time);
        // The schema's timestamp is an ISO-8601 local date-time without zone (Jenkins rejects a 'Z').
        x.writeAttribute("timestamp", generated.truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", ""));
        nl(x);
        x.writeStartElement("properties");
        property(x, "variants", String.join(",", s.variants()));
        property(x, "seeds", s.seeds().stream().map(String::valueOf).collect(Collectors.joining(",")));
        property(x, "states_checked", Long.toString(s.statesChecked()));
        x.writeEndElement();
        nl(x);
    }

    private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
        x.writeEmptyElement("property");
        x.writeAttribute("name", name);
        x.writeAttribute("value", clean(value));
    }

    private static void testcase(XMLStreamWriter x, String suite, Finding f) throws XMLStreamException {
        boolean known = f instanceof KnownRecord;
        String defect = f.defect() == null ? CampaignSummary.UNATTRIBUTED : f.defect();
        x.writeStartElement("testcase");
        x.writeAttribute("classname", suite);
        // Unique within the suite (CI readers merge test cases of the same name): the run's seed tells apart
        // campaigns of different seeds with the same shard and run numbers.
        x.writeAttribute("name", clean(f.variant() + " shard " + f.shard() + " run " + f.run() + " (seed "
                + f.seed() + ") state " + f.state() + " [" + defect + "]"));
        x.writeAttribute("time", "0");
        if (known) {
            x.writeEmptyElement("skipped");
            x.writeAttribute("message", clean("known upstream issue " + defect + ": " + f.message()
                    + " (reproduce: " + f.reproduce() + ")"));
        } else {
            x.writeStartElement("failure");
            x.writeAttribute("message", clean(f.message()));
            x.writeAttribute("type", "oracle " + clean(f.oracle()));
            x.writeCharacters(clean(f.message() + "\n\nreproduce: " + f.reproduce() + "\ncrash point: "
                    + f.crashPoint() + "\ncrash state: " + f.state() + "\nseed: " + f.seed() + "\ndefect: " + defect
                    + "\n\nshrunk workload:\n" + f.script()));
            x.writeEndElement();
        }
        x.writeEndElement();
        nl(x);
    }

    private static String campaignText(CampaignSummary s) {
        StringBuilder b = new StringBuilder();
        b.append("runs: ").append(s.runs()).append('\n')
                .append("crash states checked: ").append(s.statesChecked()).append('\n')
                .append("crash states possible: ").append(s.statesTotal()).append('\n')
                .append("violations: ").append(s.violations().size()).append('\n')
                .append("known issues: ").append(s.known().size()).append('\n');
        for (CampaignSummary.ShardRow r : s.shards()) {
            b.append("shard ").append(r.campaign().shard()).append(": ").append(r.campaign().describe())
                    .append(", ").append(r.runs()).append(" runs, ").append(r.done() ? "done" : "not finished")
                    .append('\n');
        }
        return b.toString();
    }

    private static String clean(String s) {
        return Text.clean(s);
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }

    private static void nl(XMLStreamWriter x) throws XMLStreamException {
        x.writeCharacters("\n");
    }
}
