package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.ResultJson;
import org.eratestbed.fault.result.ResultReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code campaign --triage DIR} triages the findings a campaign wrote as found, with the campaign's own
 * options from its folder: here every finding of a finished pre-5.12 campaign is turned into an untriaged one
 * (as a budget that ended at once leaves them), and the command gives back exactly the findings the campaign
 * had written — the same causes, the same shrunk scripts — superseding the untriaged records.
 */
class CampaignTriageCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static List<String> standing(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        for (Finding f : ResultReader.read(dir).findings()) {
            ObjectNode n = (ObjectNode) JSON.readTree(ResultJson.toLine(f));
            n.remove("t_ms");
            n.put("reproduce", f.reproduce().replaceAll("\\S*/findings/", "DIR/findings/"));
            out.add(n.toString());
        }
        out.sort(null);
        return out;
    }

    @Test
    void triageGivesBackWhatTheCampaignWouldHaveWritten() throws Exception {
        Path dir = tmp.resolve("c");
        EraTestbedTest.Run c = EraTestbedTest.run("campaign", "--variant", "pre-5.12", "--runs", "6", "--states", "4",
                "--seed", "3", "--out", dir.toString(), "--no-report");
        assertEquals(0, c.code(), c.err());
        List<String> expected = standing(dir);
        assertTrue(expected.size() >= 3, "pre-5.12 fails most runs: " + expected);

        Path results = dir.resolve("results.jsonl");
        int untriaged = markUntriaged(dir);
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        assertFalse(standing(dir).equals(expected));

        EraTestbedTest.Run t = EraTestbedTest.run("campaign", "--triage", dir.toString());
        assertTrue(t.code() == 0 || t.code() == 1, t.err());
        assertTrue(t.out().contains("triaged " + untriaged + " finding(s)"), t.out());
        assertEquals(expected, standing(dir), "the findings the campaign had written");
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        assertFalse(summary.get("violations_by_defect").has(Finding.UNTRIAGED), summary.toString());
        assertEquals(lines.size() + 2 * untriaged + 1, Files.readAllLines(results).size(),
                "append-only: a batch per finding and a done record");

        EraTestbedTest.Run again = EraTestbedTest.run("campaign", "--triage", dir.toString(), "--no-report");
        assertEquals(0, again.code(), again.err());
        assertFalse(again.out().contains("triaged"), again.out());
        assertEquals(lines.size() + 2 * untriaged + 1, Files.readAllLines(results).size(), "nothing left to do");
    }

    /**
     * Rewrites a finished campaign's results as if its budget had ended before any triage: every finding but
     * the device-fault ones becomes a violation of defect {@code untriaged}. Returns how many.
     */
    static int markUntriaged(Path dir) throws java.io.IOException {
        Path results = dir.resolve("results.jsonl");
        List<String> lines = new ArrayList<>();
        int untriaged = 0;
        for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            String type = n.get("type").asText();
            if ((type.equals("violation") || type.equals("known")) && !n.get("defect").asText().startsWith("device")) {
                n.put("type", "violation");
                n.put("defect", Finding.UNTRIAGED);
                untriaged++;
            }
            lines.add(n.toString());
        }
        Files.write(results, lines, StandardCharsets.UTF_8);
        return untriaged;
    }

    @Test
    void triageOfAFolderWithoutACampaignIsBadInput() {
        EraTestbedTest.Run t = EraTestbedTest.run("campaign", "--triage", tmp.toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains("not a results folder"), t.err());
    }
}
