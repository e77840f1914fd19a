package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign run whose device fault explains a violation: the campaign writes it to the results as known
 * (defect {@code device-fault:...}), and its reproducer replays on the same faulty disks, so the replay shows
 * what the campaign saw instead of an honest run that shows nothing.
 */
class CampaignDeviceFaultTest {
    private static final long SEED = 2;
    private static final int STATES = 16;

    /** The first run of the campaign whose device faults explain a violation, found as the campaign finds it. */
    private static int firstExplainedRun() {
        for (int run = 0; run < 200; run++) {
            long runSeed = Campaign.runSeed(SEED, run);
            RunPlan plan = RunGenerator.plan(Variant.UPSTREAM::has, runSeed);
            if (!plan.hasFaults()) {
                continue;
            }
            RunExecutor.Outcome o = RunExecutor.execute(Variant.UPSTREAM::has, plan, RunGenerator.MAX_STEPS);
            if (!Oracles.check(Variant.UPSTREAM::has, o, runSeed, STATES).expected().isEmpty()) {
                return run;
            }
        }
        throw new AssertionError("no run of the first 200 has a violation explained by its device fault");
    }

    @Test
    void explainedFindingsAreKnownAndTheirReproducerReplaysWithItsFaults(@TempDir Path tmp) {
        int run = firstExplainedRun();
        // Shard run+1 of run+1: this campaign executes exactly that run.
        Path out = tmp.resolve("c");
        new Campaign(new Campaign.Config(SEED, Variant.UPSTREAM, Duration.ZERO, run + 1, run + 1, run + 1, out, STATES,
                "test")).run(p -> { });

        List<Finding> findings = ResultReader.read(out).findings();
        List<KnownRecord> device = findings.stream().filter(f -> f instanceof KnownRecord k
                && k.defect().startsWith(DeviceFaultRecords.DEFECT_PREFIX)).map(f -> (KnownRecord) f).toList();
        assertFalse(device.isEmpty(), "run " + run + ": no device-fault record in " + findings);
        KnownRecord k = device.get(0);
        assertEquals(run, k.run());

        Path dir = Path.of(k.reproduce().split(" ")[3]);
        Campaign.Reproduction r = Campaign.reproduce(dir, Variant.UPSTREAM);
        assertTrue(r.plan().hasFaults(), "the reproducer replayed on honest disks: " + r.plan().toText());
        assertNull(r.violation(), "a device-explained finding is no dm-era violation on replay");
        Set<String> replayed = r.expected().stream().map(e -> e.violation().oracle() + "/"
                + DeviceFaultRecords.DEFECT_PREFIX + e.fault()).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(replayed.contains(k.oracle() + "/" + k.defect()),
                "replay shows " + replayed + ", the campaign recorded " + k.oracle() + "/" + k.defect());
        assertNotNull(r.crashPoint());
    }
}
