package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings held back from the search and attributed later: on a variant where most runs fail (pre-5.12), a
 * campaign cut anywhere and resumed writes the same findings — the same causes, the same shrunk scripts — as
 * one that ran through; every finding carries its interleaving; the shrunk reproducers replay.
 */
class CampaignTriageTest {
    static Campaign.Config config(Path out) {
        return new Campaign.Config(3, Variant.PRE_5_12, Duration.ZERO, 10, 1, 1, out, 4, "test");
    }

    @Test
    void resumedEqualsUninterruptedWithManyFindings(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        new Campaign(config(straight)).run(p -> { });
        Set<String> expected = CampaignResumeTest.records(straight);
        List<Finding> findings = ResultReader.read(straight).findings();
        assertTrue(findings.size() >= 3, "pre-5.12 fails often: " + findings.size() + " findings in 10 runs");
        // Run records are written with their findings, after later clean runs: a cut leaves some of each.

        for (double cutAt : new double[] {0.4}) {
            Path killed = tmp.resolve("killed-" + cutAt);
            new Campaign(config(killed)).run(p -> { });
            List<String> lines = Files.readAllLines(killed.resolve("results.jsonl"), StandardCharsets.UTF_8);
            int keep = (int) (lines.size() * cutAt);
            List<String> cut = new ArrayList<>(lines.subList(0, keep));
            Files.writeString(killed.resolve("results.jsonl"), String.join("\n", cut) + "\n",
                    StandardCharsets.UTF_8);
            new Campaign(config(killed)).run(p -> { });
            assertEquals(expected, CampaignResumeTest.records(killed), "cut after " + keep + " lines");
        }
    }

    @Test
    void findingsCarryTheirScheduleAndShrunkOnesReplay(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("c");
        new Campaign(config(out)).run(p -> { });
        Set<String> replayed = new TreeSet<>();
        for (Finding f : ResultReader.read(out).findings()) {
            assertFalse(f.schedule().isEmpty(), "run " + f.run() + " has no schedule");
            Path dir = out.resolve("findings").resolve("run-" + f.run() + "-" + f.oracle());
            assertEquals(Schedule.toText(f.schedule()), Files.readString(dir.resolve("schedule.txt")));
            if (replayed.add(f.oracle() + "/" + f.defect())) {
                Campaign.Reproduction r = Campaign.reproduce(dir, Variant.PRE_5_12);
                assertNotNull(r.violation(), dir + " no longer fails");
                assertEquals(f.oracle(), r.violation().oracle(), dir.toString());
                assertEquals(f.crashPoint(), r.crashPoint(), dir.toString());
                // the same crash state, not just the same oracle: plan.txt names the seed that selected it
                assertEquals(Files.readAllLines(dir.resolve("finding.txt")).get(1), r.violation().state(),
                        dir.toString());
            }
        }
        assertFalse(replayed.isEmpty());
    }
}
