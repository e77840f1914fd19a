package org.eratestbed.fault.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;

class LoadWhileActiveScenarioTest {
    private final Scenario scenario = Scenarios.byId(Defect.LOAD_WHILE_ACTIVE.id()).orElseThrow();

    @Test
    void upstreamLosesTheBlocksTheOldTableWroteAfterTheLoad() {
        ScenarioResult r = scenario.run();
        String report = String.join("\n", r.report());
        assertEquals("upstream", r.buggySide());
        assertTrue(r.buggy().violated(), report);
        // the kernel run's result: since era 2 only block 7 (written after the swap) is listed
        assertTrue(r.buggy().evidence().contains("invalidate 2 lists [7] — MISSING [3, 5] (written and acknowledged"
                + " before the swap)"), report);
        assertEquals("hardened", r.fixedSide());
        assertFalse(r.fixed().violated(), report);
        assertTrue(r.fixed().evidence().contains("invalidate 2 lists [3, 5, 7]"), report);
        // the stale table rolled over from era 2 (read at load time) to 3, which the old table had used already
        assertTrue(r.buggy().evidence().get(0).contains("era 8 17/1024 3 -"), report);
        assertTrue(r.fixed().evidence().get(0).contains("era 8 15/1024 4 -"), report);
    }

    @Test
    void everyVariantButHardenedHasIt() {
        for (Variant v : new Variant[] {Variant.PRE_5_12, Variant.AS_REVIEWED}) {
            ScenarioResult r = scenario.runOn(v);
            assertTrue(r.buggy().violated() && r.passed(), String.join("\n", r.report()));
        }
    }

    /**
     * The fix reopens at preresume only: the ctr still validates as before, so a table of another block size
     * loaded while the device is active is refused on hardened exactly as on upstream, and the live table,
     * which stays, still lists what it wrote.
     */
    @Test
    void theCtrStillRefusesAnotherBlockSizeWhileActive() {
        WorkloadScript script = WorkloadParser.parse("block-size", String.join("\n",
                "target block_size=8 origin_blocks=64 metadata_mib=4", "write 1 1", "checkpoint",
                "reload origin_blocks=64 block_size=16", "write 3 1", "suspend", "resume", "remove", "invalidate 1"));
        List<String> upstream = replay(Variant.UPSTREAM, script);
        List<String> hardened = replay(Variant.HARDENED, script);
        assertTrue(hardened.stream().anyMatch(l -> l.startsWith("ERROR: reload:")), String.join("\n", hardened));
        assertEquals(upstream.stream().filter(l -> l.startsWith("ERROR: reload:")).toList(),
                hardened.stream().filter(l -> l.startsWith("ERROR: reload:")).toList());
        assertEquals(Set.of(1L, 3L), LoadWhileActiveScenario.listed(hardened.get(hardened.size() - 1)));
    }

    private static List<String> replay(Variant v, WorkloadScript script) {
        try (ModelTarget target = new ModelTarget(v::has, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE)) {
            Replayer.Outcome o = Replayer.replay(script, target, null);
            List<String> lines = new java.util.ArrayList<>(o.status());
            lines.add(o.files().get("invalidate-1.xml"));
            return lines;
        }
    }

    @Test
    void readsBlocksAndRangesFromInvalidatesXml() {
        String xml = "<blocks>\n  <block block=\"1\"/>\n  <range begin=\"3\" end = \"6\"/>\n</blocks>\n";
        assertEquals(Set.of(1L, 3L, 4L, 5L), LoadWhileActiveScenario.listed(xml));
    }
}
