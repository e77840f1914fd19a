package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.util.List;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.model.PageImageSource;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.junit.jupiter.api.Test;

/**
 * The oracles on runs whose table changes. A shrink that goes live forgets the blocks past the new end, and a
 * later grow brings them back as era 0: a write acknowledged before the shrink is owed no more. Recovery
 * recreates the device with the last table loaded, so a shrink still waiting in the inactive slot at the crash
 * cuts writes off too. Each test shows the metadata really does not list what is not owed, so an oracle that
 * owed every acknowledged write would fail it.
 */
class ReloadOraclesTest {
    private static final String TARGET = "target block_size=8 origin_blocks=64 metadata_mib=4";
    /** Enough eras that the digest has moved block 60's era into the era array before the shrink. */
    private static final List<String> WRITE_60_AND_DIGEST = List.of("write 60 1", "write 10 1", "checkpoint",
            "checkpoint", "checkpoint", "status", "status");

    private static WorkloadScript script(List<String> head, String... tail) {
        StringBuilder b = new StringBuilder(TARGET).append('\n');
        head.forEach(l -> b.append(l).append('\n'));
        for (String l : tail) {
            b.append(l).append('\n');
        }
        return WorkloadParser.parse("reload-oracles", b.toString());
    }

    private static RunExecutor.Outcome run(WorkloadScript s, long crashStep) {
        // one command at a time: the test is about tables, not interleavings
        return RunExecutor.execute(Variant.UPSTREAM::has, new RunPlan(s, 1, 1, crashStep), RunGenerator.MAX_STEPS);
    }

    /** The blocks {@code invalidate --written-since era} lists on the run's metadata as it is at the end. */
    private static java.util.BitSet listed(RunExecutor.Outcome o, long era) {
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new PageImageSource(o.model().metadataDisk().image()), era, false, false,
                new InvalidateXml.RunWriter(xml));
        java.util.BitSet out = new java.util.BitSet();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("block=\"(\\d+)\"|begin=\"(\\d+)\" end=\"(\\d+)\"")
                .matcher(xml.toString());
        while (m.find()) {
            if (m.group(1) != null) {
                out.set(Integer.parseInt(m.group(1)));
            } else {
                out.set(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            }
        }
        return out;
    }

    private static ModelTarget.WriteAck ackOf(RunExecutor.Outcome o, long block) {
        return o.acks().stream().filter(a -> a.block() == block).findFirst().orElseThrow();
    }

    private static boolean owes(RunExecutor.Outcome o, long block) {
        return TableHistory.owed(o).stream().anyMatch(a -> a.block() == block);
    }

    @Test
    void aWriteCutOffByAShrinkIsNotOwedAfterTheBlockGrowsBack() {
        RunExecutor.Outcome o = run(script(WRITE_60_AND_DIGEST, "reload origin_blocks=32", "suspend", "resume",
                "reload origin_blocks=64", "suspend", "resume"), -1);
        assertTrue(o.stuck().isEmpty(), o.stuck().toString());
        assertEquals(64, TableHistory.recovery(o).originBlocks());
        long era60 = Integer.toUnsignedLong(ackOf(o, 60).ackEra());
        assertFalse(listed(o, era60).get(60), "the grown-back block 60 is listed since era " + era60);
        assertTrue(listed(o, era60).get(10), "block 10, never cut off, is listed since era " + era60);
        assertFalse(owes(o, 60));
        assertTrue(owes(o, 10));
        assertEquals(List.of(), Oracles.check(Variant.UPSTREAM::has, o, 5, 16).violations());
    }

    @Test
    void aWriteAfterTheGrowIsOwedAndTheOracleChecksIt() {
        RunExecutor.Outcome o = run(script(WRITE_60_AND_DIGEST, "reload origin_blocks=32", "suspend", "resume",
                "reload origin_blocks=64", "suspend", "resume", "write 61 1", "status"), -1);
        assertTrue(owes(o, 61));
        assertFalse(owes(o, 60));
        assertEquals(List.of(), Oracles.check(Variant.UPSTREAM::has, o, 5, 16).violations());
    }

    @Test
    void recoveryRecreatesTheDeviceWithTheLastLoadedTableEvenIfItNeverWentLive() {
        // The shrink waits in the inactive slot when the power goes; the user recreates the device with it, so
        // recovery's preresume forgets block 60 even though no resume of the run made the table live.
        RunExecutor.Outcome o = run(script(WRITE_60_AND_DIGEST, "reload origin_blocks=32", "status"), -1);
        assertEquals(32, TableHistory.recovery(o).originBlocks());
        assertEquals(64, o.model().device().sizeSectors() / 8, "the run's live table is still the old one");
        assertFalse(owes(o, 60));
        assertTrue(owes(o, 10));
        assertEquals(List.of(), Oracles.check(Variant.UPSTREAM::has, o, 5, 16).violations());
    }

    @Test
    void aShrinkAfterTheWriteCutsItOffEvenIfTheTableGrowsAgainBeforeTheWriteIsChecked() {
        // The rule is "a later table cut it off", not "the last table is smaller": the last table is as large as
        // the first, yet block 60 was forgotten in between.
        RunExecutor.Outcome o = run(script(WRITE_60_AND_DIGEST, "reload origin_blocks=16", "suspend", "resume",
                "reload origin_blocks=128", "suspend", "resume", "reload origin_blocks=64", "suspend", "resume"), -1);
        assertFalse(owes(o, 60));
        assertTrue(owes(o, 10));
        assertFalse(listed(o, Integer.toUnsignedLong(ackOf(o, 60).ackEra())).get(60));
        assertEquals(List.of(), Oracles.check(Variant.UPSTREAM::has, o, 5, 16).violations());
    }

    @Test
    void crashStatesOfAResizedRunPassEveryOracle() {
        WorkloadScript s = script(WRITE_60_AND_DIGEST, "reload origin_blocks=32", "suspend", "resume", "write 20 1",
                "reload origin_blocks=48", "suspend", "resume", "write 40 2", "checkpoint");
        // hardened: upstream's unordered format commit (a known defect) fails the states of the first commit
        java.util.function.Predicate<Defect> live = Variant.HARDENED::has;
        // One command at a time: with two, a reload can overlap the writes before it, which loses them (see
        // aTableLoadedWhileTheDeviceIsActiveLoses...), and this test is about the resize alone.
        RunExecutor.Outcome dry = RunExecutor.execute(live, new RunPlan(s, 1, 1, -1), RunGenerator.MAX_STEPS);
        int checked = 0;
        for (long step : dry.commitSteps()) {
            RunExecutor.Outcome o = RunExecutor.execute(live, new RunPlan(s, 1, 1, step), RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(live, o, step, 8);
            assertEquals(List.of(), c.violations(), "crash at step " + step);
            checked += c.statesChecked();
        }
        assertTrue(checked > 20, "crash states checked: " + checked);
    }

    @Test
    void aBlockSizeChangeIsRefusedSoTheOraclesKeepTheMetadataBlockSize() {
        RunExecutor.Outcome o = run(script(List.of("write 3 1"), "reload origin_blocks=16 block_size=16", "suspend",
                "resume", "write 5 1", "status"), -1);
        assertEquals(8, TableHistory.recovery(o).blockSize());
        assertTrue(TableHistory.sameBlockSize(o));
        assertEquals(List.of(), Oracles.check(Variant.UPSTREAM::has, o, 5, 16).violations());
    }

    @Test
    void withoutTheBlockSizeCheckTrackingIsJudgedInSectors() {
        // Without c8e846ff the table of 16-sector blocks goes live over metadata of 8-sector blocks, and the write
        // to its block 5 (sectors 80..95: metadata blocks 10 and 11) is recorded as block 5.
        java.util.function.Predicate<Defect> live = d -> d == Defect.BLOCK_SIZE_CHANGE;
        RunExecutor.Outcome o = RunExecutor.execute(live, new RunPlan(script(List.of("write 3 1"),
                "reload origin_blocks=32 block_size=16", "suspend", "resume", "write 5 1", "status"), 1, 1, -1),
                RunGenerator.MAX_STEPS);
        assertFalse(TableHistory.sameBlockSize(o));
        assertEquals(List.of(3L, 10L, 11L), TableHistory.owed(o).stream().map(ModelTarget.WriteAck::block).toList());
        List<Oracles.Violation> v = Oracles.check(live, o, 5, 16).violations();
        assertEquals(OracleIds.TRACKING, v.get(0).oracle(), v.toString());
        assertTrue(v.get(0).message().startsWith("block 10 "), v.get(0).message());
    }

    /**
     * testbed-load-while-active, on every variant but hardened: era_ctr opens its own metadata object
     * (metadata_open, its own dm-bufio client), so a table loaded while the device is active reads the metadata
     * as the live table last committed it. The live table goes on committing (the mark for write 3, a
     * checkpoint) until the suspend; the new table's preresume then commits its older view over all of that.
     * Suspending before the load is safe: postsuspend commits everything and stops the worker first. Hardened
     * reopens the metadata at the new table's first preresume and holds in both orders.
     */
    @Test
    void aTableLoadedWhileTheDeviceIsActiveLosesWhatTheLiveTableCommittedAfterTheLoad() {
        java.util.function.Predicate<Defect> upstream = Variant.UPSTREAM::has;
        java.util.function.Predicate<Defect> fixed = Variant.HARDENED::has;
        for (String order : List.of("reload origin_blocks=%d|write 3 1|checkpoint|write 5 1|suspend|resume",
                "write 3 1|checkpoint|write 5 1|suspend|reload origin_blocks=%d|resume")) {
            for (int size : new int[] {32, 64, 100}) {
                WorkloadScript s = script(List.of("write 1 1", "checkpoint"),
                        String.format(order, size).split("\\|"));
                RunExecutor.Outcome h = RunExecutor.execute(fixed, new RunPlan(s, 1, 1, -1), RunGenerator.MAX_STEPS);
                assertEquals(List.of(), Oracles.check(fixed, h, 1, 16).violations(), "hardened: " + order + " " + size);
                RunExecutor.Outcome o = RunExecutor.execute(upstream, new RunPlan(s, 1, 1, -1), RunGenerator.MAX_STEPS);
                List<Oracles.Violation> v = Oracles.check(upstream, o, 1, 16).violations();
                if (order.startsWith("reload")) {
                    assertEquals(1, v.size(), order + " " + size);
                    assertEquals(OracleIds.TRACKING, v.get(0).oracle());
                    assertTrue(v.get(0).message().startsWith("block 3 (write #2"), v.get(0).message());
                } else {
                    assertEquals(List.of(), v, order + " " + size);
                }
            }
        }
    }

    /**
     * testbed-message-before-preresume reached by a generated-style workload (and since seen on the kernel, see
     * KernelMessageBeforePreresumeVmTest): a resume swaps the new table in (dm_swap_table) before its preresume,
     * and era_ctr never sets {@code suspended}, so a message that reaches the new table meanwhile runs its
     * worker. Here a status blocked on the old, suspended table (deadlock-2023) holds the table swap at
     * dm_sync_table with the new table already live; the checkpoint that follows runs metadata_checkpoint on the
     * new target, whose writesets metadata_resize has not allocated yet: writeset_init memsets a NULL bitmap
     * (the kernel oopses).
     */
    @Test
    void aMessageDuringTheTableSwapRunsTheNewTargetsWorkerBeforeItsPreresume() {
        java.util.function.Predicate<Defect> upstream = Variant.UPSTREAM::has;
        WorkloadScript s = script(List.of("write 1 1", "checkpoint", "suspend", "reload origin_blocks=32", "resume",
                "status", "checkpoint"));
        // The interleaving is the scheduler's: the first of a few seeds that reaches the race (seed 7 today).
        RunExecutor.Outcome o = null;
        for (long seed = 1; seed <= 60 && o == null; seed++) {
            RunExecutor.Outcome run = RunExecutor.execute(upstream, new RunPlan(s, seed, 3, -1), RunGenerator.MAX_STEPS);
            List<Oracles.Violation> v = Oracles.check(upstream, run, seed, 16).violations();
            if (!v.isEmpty() && v.get(0).oracle().equals(OracleIds.LIVENESS)
                    && v.get(0).message().contains("kernel NULL pointer dereference")) {
                o = run;
            }
        }
        assertTrue(o != null, "no interleaving of 60 ran a message on the new table before its preresume");
        assertTrue(java.util.Arrays.stream(o.model().scheduler().failure().getStackTrace())
                .anyMatch(e -> e.getMethodName().equals("writesetInit")), "the worker failed in writeset_init");
        java.util.function.Predicate<Defect> fixedCtr = d -> upstream.test(d) && d != Defect.MESSAGE_BEFORE_PRERESUME;
        RunExecutor.Outcome f = RunExecutor.execute(fixedCtr, o.plan(), RunGenerator.MAX_STEPS);
        List<Oracles.Violation> fv = Oracles.check(fixedCtr, f, o.plan().seed(), 16).violations();
        assertTrue(fv.stream().noneMatch(v -> v.message().contains("NULL pointer")), "the same run with a ctr that"
                + " marks the worker suspended runs no worker before preresume: " + fv);
    }

    /**
     * Shrinking a reload's finding keeps a script that parses back and fails the same way: reloads survive
     * renumbering, and a candidate that drops the resume leaves the table waiting (the run resumes a suspended
     * device once at its end), not a script the testbed cannot run.
     */
    @Test
    void theShrinkerKeepsAReloadFindingValidAndFailing() {
        // testbed-load-while-active, live upstream (hardened holds)
        java.util.function.Predicate<Defect> upstream = Variant.UPSTREAM::has;
        WorkloadScript s = script(List.of("write 1 1", "checkpoint", "status", "write 7 2", "reload origin_blocks=48",
                "write 3 1", "flush", "checkpoint", "write 5 1", "suspend", "resume", "status", "write 9 1"));
        RunPlan failing = new RunPlan(s, 1, 1, -1);
        RunExecutor.Outcome o = RunExecutor.execute(upstream, failing, RunGenerator.MAX_STEPS);
        assertEquals(OracleIds.TRACKING, Oracles.check(upstream, o, 1, 16).first().oracle());
        RunPlan shrunk = Shrinker.shrink(upstream, Shrinker.Keep.VARIANT, failing, OracleIds.TRACKING, 16, 1);
        String text = shrunk.script().toText();
        assertTrue(shrunk.script().commands().size() < s.commands().size(), text);
        assertTrue(text.contains("reload origin_blocks=48"), text);
        // replayed from its text, as campaign --reproduce reads script.era
        RunPlan replay = shrunk.withScript(WorkloadParser.parse("script.era", text));
        RunExecutor.Outcome r = RunExecutor.execute(upstream, replay, RunGenerator.MAX_STEPS);
        assertTrue(Oracles.check(upstream, r, 1, 16).violations().stream()
                .anyMatch(v -> v.oracle().equals(OracleIds.TRACKING)), text);
    }
}
