package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.eratestbed.fault.result.ResultJson;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.Results;
import org.eratestbed.fault.result.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --shard 1/2} and {@code --shard 2/2} split a campaign's runs between two folders, and {@code report}
 * of both gives their union: every run of the unsplit campaign once, with the same record, and every finding
 * of each shard. (Which defect a finding is attributed to and whether it is shrunk depend on the earlier
 * findings of its own shard, so shards' findings are compared with the shards', not with the unsplit run.)
 */
class CampaignShardsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path campaign(String name, String shard) {
        Path dir = tmp.resolve(name);
        EraTestbedTest.Run r = EraTestbedTest.run("campaign", "--variant", "pre-5.12", "--runs", "8", "--states", "4",
                "--seed", "5", "--shard", shard, "--out", dir.toString(), "--no-report");
        assertEquals(0, r.code(), r.err());
        return dir;
    }

    /** Run records without what differs between shards and executions: shard, clock. */
    private static List<String> runs(Results r) throws Exception {
        List<String> out = new ArrayList<>();
        for (RunRecord run : r.runs()) {
            ObjectNode n = (ObjectNode) JSON.readTree(ResultJson.toLine(run));
            n.remove(List.of("shard", "t_ms", "elapsed_ms"));
            out.add(n.toString());
        }
        out.sort(null);
        return out;
    }

    @Test
    void reportOfTheShardsIsTheirUnion() throws Exception {
        Path all = campaign("all", "1/1");
        Path s1 = campaign("s1", "1/2");
        Path s2 = campaign("s2", "2/2");

        Results merged = ResultReader.read(s1, s2);
        assertEquals(2, merged.shards().size());
        assertEquals(IntStream.range(0, 8).boxed().toList(),
                merged.runs().stream().map(RunRecord::run).sorted().toList(), "every run once");
        assertEquals(runs(ResultReader.read(all)), runs(merged), "the unsplit campaign's runs");
        int f1 = ResultReader.read(s1).findings().size();
        int f2 = ResultReader.read(s2).findings().size();
        assertEquals(f1 + f2, merged.findings().size(), "every finding of each shard");
        assertTrue(f1 > 0 && f2 > 0, "pre-5.12 fails in both shards");

        Path out = tmp.resolve("report");
        EraTestbedTest.Run r = EraTestbedTest.run("report", s1.toString(), s2.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(8, summary.get("runs").asInt(), summary.toString());
        assertEquals(merged.runs().stream().mapToLong(RunRecord::statesChecked).sum(),
                summary.get("states_checked").asLong());
        assertEquals(merged.violations().size(), summary.get("violations").asInt());
        assertEquals(merged.known().size(), summary.get("known_issues").asInt());
    }
}
