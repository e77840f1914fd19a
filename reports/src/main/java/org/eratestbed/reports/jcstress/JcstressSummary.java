package org.eratestbed.reports.jcstress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eratestbed.device.BadInputException;

/**
 * The stress suite's jcstress outcome tables, as its {@code jcstress-summary.json} gives them (written by
 * {@code org.eratestbed.stress.summary.SummaryJson}):
 * {@code {"tool":"jcstress","tests":[{"test","result","samples","configurations":[...],"outcomes":[...]}]}}.
 */
public record JcstressSummary(Path source, List<Test> tests) {
    public JcstressSummary {
        tests = List.copyOf(tests);
    }

    /** A jcstress test: {@code result} is PASSED, INTERESTING, FAILED or ERROR. */
    public record Test(String test, String result, long samples, List<Configuration> configurations,
            List<Outcome> outcomes) {
    }

    public record Configuration(String jvmOptions, String status, long samples) {
    }

    /** One observed (or expected) outcome; {@code expect} is ACCEPTABLE, ACCEPTABLE_INTERESTING, FORBIDDEN. */
    public record Outcome(String state, String expect, String description, long observed) {
    }

    /** Tests per result. */
    public Map<String, Integer> byResult() {
        Map<String, Integer> m = new TreeMap<>();
        tests.forEach(t -> m.merge(t.result(), 1, Integer::sum));
        return m;
    }

    public static JcstressSummary read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ":" + e.getLocation().getLineNr() + ": not JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !"jcstress".equals(root.path("tool").asText()) || !root.path("tests").isArray()) {
            throw new BadInputException(file + ": not a jcstress summary (want {\"tool\": \"jcstress\", \"tests\": [...]})");
        }
        List<Test> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode t : root.get("tests")) {
            String where = file + ": tests[" + i++ + "]";
            List<Configuration> confs = new ArrayList<>();
            for (JsonNode c : t.path("configurations")) {
                confs.add(new Configuration(text(c, "jvmOptions", where), text(c, "status", where),
                        number(c, "samples", where)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (JsonNode o : t.path("outcomes")) {
                outcomes.add(new Outcome(text(o, "state", where), text(o, "expect", where),
                        text(o, "description", where), number(o, "observed", where)));
            }
            tests.add(new Test(text(t, "test", where), text(t, "result", where), number(t, "samples", where),
                    confs, outcomes));
        }
        return new JcstressSummary(file, tests);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new BadInputException(where + ": \"" + field + "\" missing or not a string");
        }
        return v.asText();
    }

    private static long number(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new BadInputException(where + ": \"" + field + "\" missing or not an integer");
        }
        return v.asLong();
    }
}
