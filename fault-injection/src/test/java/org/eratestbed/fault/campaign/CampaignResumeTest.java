package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign killed at any point (here: its results file cut inside a line, as a SIGKILL mid-write leaves
 * it) and started again ends with the same result set as one that ran through: no run lost, none
 * duplicated, the same findings.
 */
class CampaignResumeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Campaign.Config config(Path out) {
        return new Campaign.Config(5, Variant.UPSTREAM, Duration.ZERO, 6, 1, 1, out, 4, "test");
    }

    /** The records, without what legitimately differs between two executions (clock, output folder). */
    static Set<String> records(Path dir) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            n.remove(List.of("t_ms", "elapsed_ms", "reproduce"));
            out.add(n.toString());
        }
        return out;
    }

    @Test
    void killedAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        new Campaign(config(straight)).run(p -> { });
        Set<String> expected = records(straight);
        assertTrue(expected.size() >= 7, "6 run records and a done record: " + expected);

        Path killed = tmp.resolve("killed");
        new Campaign(config(killed)).run(p -> { });
        List<String> lines = Files.readAllLines(killed.resolve("results.jsonl"), StandardCharsets.UTF_8);
        List<String> cut = new ArrayList<>(lines.subList(0, lines.size() / 2));
        String torn = lines.get(lines.size() / 2);
        Files.writeString(killed.resolve("results.jsonl"), String.join("\n", cut) + "\n"
                + torn.substring(0, torn.length() / 2), StandardCharsets.UTF_8);

        new Campaign(config(killed)).run(p -> { });
        List<String> after = Files.readAllLines(killed.resolve("results.jsonl"), StandardCharsets.UTF_8);
        assertEquals(expected, records(killed));
        assertEquals(after.size(), new TreeSet<>(after).size(), "a record was written twice");
    }
}
