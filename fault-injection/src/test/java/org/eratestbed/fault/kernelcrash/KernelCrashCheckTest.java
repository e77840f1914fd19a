package org.eratestbed.fault.kernelcrash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eratestbed.device.sim.IoLog;
import org.eratestbed.device.sim.IoRecord;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.diff.DiffCorpus;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Test;

/** The crash-state check on the model's own recorded I/O, as it will run on the kernel's. */
class KernelCrashCheckTest {
    private static final Map<String, DiffCorpus.Entry> CORPUS = DiffCorpus.load().stream()
            .collect(Collectors.toMap(DiffCorpus.Entry::name, Function.identity()));

    private static RecordedRun.Recorded record(String name) {
        try (ModelTarget m = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            return RecordedRun.replay(CORPUS.get(name).script(), m, null, m::metadataDisk);
        }
    }

    /** era_check is a process per state (~70 ms here): the tests that are about tracking leave it out. */
    private static KernelCrashCheck.Options upstream(boolean eraCheck) {
        return new KernelCrashCheck.Options(Variant.UPSTREAM::has, 7, 8, 4, eraCheck ? ThinTools.find("era_check") : null);
    }

    @Test
    void upstreamRunsPassEveryOracleInEveryCheckedState() {
        for (String name : List.of("01-basic", "09-crash-mid-era", "13-crash-snap-held", "15-write-while-suspended")) {
            RecordedRun.Recorded r = record(name);
            boolean eraCheck = name.equals("13-crash-snap-held");
            KernelCrashCheck.Report rep = KernelCrashCheck.check(r.input(), upstream(eraCheck));
            assertTrue(rep.ok(), rep.summary());
            assertTrue(rep.points() >= 4, rep.summary());
            assertTrue(rep.states() > rep.points(), "some crash point must have more than one state: " + rep.summary());
            assertTrue(rep.acks() > 0, rep.summary());
            if (eraCheck && ThinTools.available()) {
                assertTrue(rep.eraChecks() > 0, rep.summary());
            }
        }
    }

    /**
     * A crash between the format and the first resize leaves nr_blocks = 0, which era_check 0.9.0 rejects
     * although the model's check and recovery accept it: recorded as the tool's known false alarm, not a finding.
     */
    @Test
    void eraChecksFalseAlarmOnAnEmptyEraArrayIsKnownNotAFinding() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        KernelCrashCheck.Input in = record("09-crash-mid-era").input();
        // crashes inside the create only: every flush of the format and of the first resume's commits
        WriteWatcher.Mark created = in.crashPoints().get(0);
        KernelCrashCheck.Input create = new KernelCrashCheck.Input(in.name(), in.target(),
                in.metadataLog().before(created.tick()), in.base(), List.of(), List.of(created));
        KernelCrashCheck.Report rep = KernelCrashCheck.check(create,
                new KernelCrashCheck.Options(Variant.UPSTREAM::has, 7, Integer.MAX_VALUE, 4, ThinTools.find("era_check")));
        assertTrue(rep.ok(), rep.summary());
        assertTrue(rep.known().stream().anyMatch(k -> k.id().equals(KernelCrashCheck.TPT_EMPTY_ERA_ARRAY)
                && k.violation().message().contains("Effected eras: [1, 0)")), rep.summary());
    }

    /** The watcher reads each write's era from the status lines around it, as it must for the kernel. */
    @Test
    void acknowledgedWritesCarryTheErasTheStatusLinesShow() {
        RecordedRun.Recorded r = record("09-crash-mid-era");
        List<String> got = r.input().acks().stream().map(a -> a.block() + "@" + a.era() + (a.exact() ? "" : "+"))
                .toList();
        // status (era 1), write 0 3, status, checkpoint, status (era 2), write 3 3, status: all exact
        assertEquals(List.of("0@1", "1@1", "2@1", "3@2", "4@2", "5@2"), got);
        // 15: a status (era 1), write 0 1 and a status; then the write blocked by the suspend returns late after the resume
        // (era 2), with no status between: its era is only bounded by the status before it
        RecordedRun.Recorded b = record("15-write-while-suspended");
        assertEquals(List.of("0@1", "1@1+"), b.input().acks().stream()
                .map(a -> a.block() + "@" + a.era() + (a.exact() ? "" : "+")).toList());
    }

    /**
     * de89afc1 live in the recovering model (pre-5.12): open drops the committed current writeset, so the
     * writes acknowledged in the crashed era vanish — the check must say so.
     */
    @Test
    void aPre512RecoveryLosesAcknowledgedWrites() {
        RecordedRun.Recorded r = record("09-crash-mid-era");
        KernelCrashCheck.Report rep = KernelCrashCheck.check(r.input(),
                new KernelCrashCheck.Options(Variant.PRE_5_12::has, 7, 8, 4, null));
        assertFalse(rep.ok(), rep.summary());
        assertEquals(OracleIds.TRACKING, rep.violations().get(0).oracle(), rep.summary());
        assertTrue(rep.violations().get(0).message().contains("missing from invalidate --written-since"), rep.summary());
    }

    /** A log that lost the run's last metadata commits while the host saw the writes acknowledged. */
    @Test
    void aLogMissingItsLastCommitsLosesAcknowledgedWrites() {
        KernelCrashCheck.Input in = record("09-crash-mid-era").input();
        long lastWrite = in.acks().get(in.acks().size() - 1).logMark();
        long firstWrite = in.acks().get(0).logMark();
        IoLog damaged = in.metadataLog().before(firstWrite);
        KernelCrashCheck.Input bad = new KernelCrashCheck.Input(in.name() + " (damaged)", in.target(), damaged,
                in.base(), in.acks(), in.crashPoints().stream().filter(m -> m.tick() <= lastWrite).toList());
        KernelCrashCheck.Report rep = KernelCrashCheck.check(bad, upstream(false));
        assertFalse(rep.ok(), rep.summary());
        assertTrue(rep.violations().stream().anyMatch(v -> v.oracle().equals(OracleIds.TRACKING)), rep.summary());
    }

    /** A log whose metadata writes were garbled in transit: both checkers must reject the superblock. */
    @Test
    void aGarbledLogFailsTheMetadataChecks() {
        KernelCrashCheck.Input in = record("01-basic").input();
        List<IoRecord> records = new ArrayList<>();
        for (IoRecord rec : in.metadataLog().records()) {
            byte[] data = rec.data();
            if (rec.isWrite() && rec.sector() == 0 && data != null) {
                data = Arrays.copyOf(data, data.length);
                data[100] ^= 0x5a; // inside the superblock, under its checksum
            }
            records.add(new IoRecord(rec.seq(), rec.op(), rec.sector(), rec.sectors(), rec.fua(), rec.preflush(), data,
                    rec.dataHash(), rec.submitTick(), rec.completeTick(), rec.status(), rec.landedSector(),
                    rec.dropped(), rec.flushIgnored()));
        }
        KernelCrashCheck.Input bad = new KernelCrashCheck.Input(in.name() + " (garbled)", in.target(),
                new IoLog(in.metadataLog().sizeSectors(), records), in.base(), in.acks(), in.crashPoints());
        KernelCrashCheck.Report rep = KernelCrashCheck.check(bad, upstream(true));
        assertFalse(rep.ok(), rep.summary());
        assertEquals(OracleIds.METADATA_CONSISTENCY, rep.violations().get(0).oracle(), rep.summary());
    }

    @Test
    void eraCheckAloneRejectsAGarbledImage() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        Path exe = ThinTools.find("era_check");
        byte[] image = new byte[4 << 20];
        image[0] = 1;
        assertFalse(ThinTools.check(image).ok());
    }
}
