package org.eratestbed.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.reports.jcstress.JcstressSummary;
import org.eratestbed.reports.jfr.JfrProfile;

/**
 * {@code summary.json}: the report's numbers for machines. Property names are spelled out here, not derived
 * from Java names, so that renaming a field in the code cannot silently change what a CI script reads.
 * {@code states_total} is a decimal string, as in the results.
 */
public final class SummaryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SummaryJson() {
    }

    public static String write(CampaignSummary s, JcstressSummary jcstress, JfrProfile profile) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("verdict", s.failed() ? "fail" : "pass");
        root.putPOJO("variants", List.copyOf(s.variants()));
        root.putPOJO("seeds", List.copyOf(s.seeds()));
        root.put("runs", s.runs());
        root.put("states_checked", s.statesChecked());
        root.put("states_total", s.statesTotal().toString());
        root.put("elapsed_ms", s.elapsedMs());
        root.put("violations", s.violations().size());
        root.put("known_issues", s.known().size());
        counts(root.putObject("violations_by_oracle"), s.byOracle());
        counts(root.putObject("violations_by_defect"), s.byDefect());
        counts(root.putObject("known_by_defect"), s.knownByDefect());
        ArrayNode shards = root.putArray("shards");
        for (CampaignSummary.ShardRow r : s.shards()) {
            ObjectNode n = shards.addObject();
            n.put("folder", r.folder().toString());
            n.put("seed", r.campaign().seed());
            n.put("variant", r.campaign().variant());
            n.put("shard", r.campaign().shard());
            n.put("budget", r.campaign().budget());
            n.put("start_time", r.campaign().startTime());
            n.put("tool_version", r.campaign().toolVersion());
            n.put("runs", r.runs());
            n.put("states_checked", r.statesChecked());
            n.put("elapsed_ms", r.elapsedMs());
            n.put("done", r.done());
            n.put("violations", r.violations());
            n.put("known_issues", r.known());
        }
        ArrayNode detections = root.putArray("first_detection");
        for (CampaignSummary.Detection d : s.detections()) {
            ObjectNode n = detections.addObject();
            n.put("defect", d.defect());
            n.put("known", d.known());
            n.put("oracle", d.oracle());
            n.put("t_ms", d.tMs());
            n.put("shard", d.shard());
            n.put("run", d.run());
            n.put("count", d.count());
        }
        ObjectNode kinds = root.putObject("by_crash_kind");
        s.crashKinds().forEach((kind, row) -> {
            ObjectNode n = kinds.putObject(kind);
            n.put("runs", row.runs());
            n.put("violations", row.violations());
            n.put("known_issues", row.known());
        });
        findings(root.putArray("violation_list"), s.violations());
        findings(root.putArray("known_list"), s.known());
        if (jcstress != null) {
            ObjectNode j = root.putObject("jcstress");
            j.put("file", jcstress.source().toString());
            j.put("tests", jcstress.tests().size());
            counts(j.putObject("by_result"), jcstress.byResult());
        }
        if (profile != null) {
            ObjectNode p = root.putObject("profile");
            p.put("recordings", profile.recordings());
            p.put("execution_samples", profile.executionSamples());
            ArrayNode hot = p.putArray("hot_methods");
            for (JfrProfile.Row r : profile.hotMethods()) {
                hot.addObject().put("method", r.name()).put("samples", r.count());
            }
            ArrayNode alloc = p.putArray("allocation_by_class");
            for (JfrProfile.Row r : profile.allocations()) {
                alloc.addObject().put("class", r.name()).put("bytes", r.count());
            }
            p.put("gc_pauses", profile.gcPauses());
            p.put("gc_pause_total_ms", profile.gcPauseTotal().toNanos() / 1e6);
            p.put("gc_pause_max_ms", profile.gcPauseMax().toNanos() / 1e6);
        }
        root.putPOJO("warnings", s.warnings());
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void counts(ObjectNode node, Map<String, Integer> counts) {
        counts.forEach(node::put);
    }

    private static void findings(ArrayNode into, List<Finding> findings) {
        for (Finding f : findings) {
            ObjectNode n = into.addObject();
            n.put("shard", f.shard());
            n.put("run", f.run());
            n.put("seed", f.seed());
            n.put("variant", f.variant());
            n.put("oracle", f.oracle());
            n.put("defect", f.defect());
            n.put("message", f.message());
            n.put("crash_point", f.crashPoint());
            n.put("state", f.state());
            n.put("t_ms", f.tMs());
            n.put("reproduce", f.reproduce());
        }
    }
}
