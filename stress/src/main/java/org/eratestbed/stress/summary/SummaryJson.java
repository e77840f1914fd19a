package org.eratestbed.stress.summary;

import java.util.List;

/**
 * The summary as JSON, for the reports module:
 * <pre>
 * {"tool": "jcstress", "tests": [
 *   {"test": "...", "result": "PASSED|INTERESTING|FAILED|ERROR", "samples": N,
 *    "configurations": [{"jvmOptions": "...", "status": "OK", "samples": N}],
 *    "outcomes": [{"state": "1, 0", "expect": "ACCEPTABLE_INTERESTING", "description": "...", "observed": N}]}]}
 * </pre>
 * Written by hand: one small fixed shape does not warrant a JSON library in the build.
 */
public final class SummaryJson {
    private SummaryJson() {
    }

    public static String write(List<TestSummary> tests) {
        StringBuilder out = new StringBuilder("{\n  \"tool\": \"jcstress\",\n  \"tests\": [");
        for (int t = 0; t < tests.size(); t++) {
            TestSummary s = tests.get(t);
            out.append(t == 0 ? "\n" : ",\n");
            out.append("    {\"test\": ").append(str(s.test()))
                    .append(", \"result\": ").append(str(s.result().name()))
                    .append(", \"samples\": ").append(s.samples())
                    .append(",\n     \"configurations\": [");
            for (int c = 0; c < s.configurations().size(); c++) {
                TestSummary.Configuration conf = s.configurations().get(c);
                out.append(c == 0 ? "" : ", ")
                        .append("{\"jvmOptions\": ").append(str(conf.jvmOptions()))
                        .append(", \"status\": ").append(str(conf.status()))
                        .append(", \"samples\": ").append(conf.samples()).append('}');
            }
            out.append("],\n     \"outcomes\": [");
            for (int o = 0; o < s.outcomes().size(); o++) {
                Outcome oc = s.outcomes().get(o);
                out.append(o == 0 ? "\n" : ",\n")
                        .append("       {\"state\": ").append(str(oc.state()))
                        .append(", \"expect\": ").append(str(oc.expect().name()))
                        .append(", \"description\": ").append(str(oc.description()))
                        .append(", \"observed\": ").append(oc.observed()).append('}');
            }
            out.append("]}");
        }
        return out.append("\n  ]\n}\n").toString();
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
