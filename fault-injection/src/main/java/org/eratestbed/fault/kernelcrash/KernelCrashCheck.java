package org.eratestbed.fault.kernelcrash;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.CrashSelection;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.ContentHash;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.IoLog;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.CrashStateSource;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.TargetUnderTest.Result;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.disk.DiskFormat;
import org.eratestbed.model.era.tools.disk.MetadataReader;
import org.eratestbed.model.era.tools.disk.Superblock;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ScriptedPolicy;

/**
 * Crash states of a recorded run — the real kernel's, from the I/O log the NBD server kept of its metadata
 * device, or the model's own — checked with the design's oracles: after a power cut at the end of each
 * command, every state the metadata device may hold must pass the model's {@code check} and
 * thin-provisioning-tools' {@code era_check} (oracle 4), and after recovery on the model (create again on the
 * state, then a clean remove) every write acknowledged before the cut must be listed by
 * {@code invalidate --written-since <its era>} (oracle 1).
 *
 * <p>Nothing here depends on who wrote the log: the inputs are the log, the image it started from, and what
 * the host saw (acknowledged writes and command boundaries, from {@link WriteWatcher}).
 */
public final class KernelCrashCheck {
    /** A metadata block is 4 KiB: written as one atomic unit (a 4Kn device), as the campaign's oracles assume. */
    public static final int METADATA_ATOMIC_SECTORS = 8;

    /** A recorded run: the script's table, the metadata device's log and base image, what the host saw. */
    public record Input(String name, Command.Target target, IoLog metadataLog, PageImage base, List<AckedWrite> acks,
            List<WriteWatcher.Mark> crashPoints) {
        public Input {
            acks = List.copyOf(acks);
            crashPoints = List.copyOf(crashPoints);
        }
    }

    /**
     * @param recovery the defects live in the model that recovers (the variant the kernel under test matches)
     * @param flushPoints at most this many crash points inside commands (see {@link #check}), chosen from
     *        {@code seed} when there are more
     * @param statesPerPoint at most this many states per crash point (all when there are no more)
     * @param eraCheck the era_check binary, or null to skip it (thin-provisioning-tools absent)
     */
    public record Options(Predicate<Defect> recovery, long seed, int flushPoints, int statesPerPoint, Path eraCheck) {
    }

    /** One oracle failure: which oracle, what, and where (crash point and state). */
    public record Violation(String oracle, String message, String where) {
        @Override
        public String toString() {
            return oracle + ": " + message + " [" + where + "]";
        }
    }

    /** A violation explained by a known defect (of dm-era, or of the checking tool), kept with its evidence. */
    public record Known(String id, Violation violation) {
        @Override
        public String toString() {
            return id + ": " + violation;
        }
    }

    /**
     * The catalogued upstream defect: a power cut inside the first format can keep the superblock and lose what
     * it points at. Violations of the metadata checks at crash points inside the first format of fresh metadata
     * are this defect whenever the recovering variant (the one the kernel is taken to be) has it live.
     */
    public static final String FORMAT_UNORDERED = Defect.FORMAT_UNORDERED_COMMIT.id();

    /**
     * thin-provisioning-tools 0.9.0's era_check rejects every image whose superblock has nr_blocks = 0 ("missing
     * eras from era array … Effected eras: [1, 0)"), even one its own era_restore wrote from
     * {@code <superblock nr_blocks="0">}. dm-era's format writes exactly that before the first resume's resize,
     * so a crash in between leaves it; the model's check accepts it and recovery works.
     */
    public static final String TPT_EMPTY_ERA_ARRAY = "tpt-0.9.0-era-check-nr-blocks-0";

    /**
     * What a check covered and found; one witness per crash point at most. {@code known}: violations explained
     * by {@link #FORMAT_UNORDERED} or {@link #TPT_EMPTY_ERA_ARRAY}, recorded but not counted as findings.
     */
    public record Report(String name, int points, long states, BigInteger possible, int eraChecks, int acks,
            int exactAcks, List<Violation> violations, List<Known> known) {
        public boolean ok() {
            return violations.isEmpty();
        }

        public String summary() {
            return name + ": " + points + " crash points, " + states + " states checked of " + possible + " possible, "
                    + eraChecks + " by era_check; " + acks + " acknowledged writes (" + exactAcks
                    + " with an exact era); " + (ok() ? "no violation" : violations.size() + " violations, first: "
                    + violations.get(0)) + (known.isEmpty() ? "" : "; known: " + known.stream().collect(
                            java.util.stream.Collectors.groupingBy(Known::id, java.util.TreeMap::new,
                                    java.util.stream.Collectors.counting())));
        }
    }

    private KernelCrashCheck() {
    }

    /**
     * Crash points: the end of every command, and the moment just before each flush (an empty flush, a
     * preflush or FUA write) the metadata device received. A command ends with its commit flushed, so its end
     * has a single state; just before a commit's flush every write since the previous one may be kept, lost
     * or torn, which is where a wrong write order shows.
     */
    public static Report check(Input in, Options o) {
        TreeMap<Long, WriteWatcher.Mark> ends = new TreeMap<>();
        for (WriteWatcher.Mark m : in.crashPoints()) {
            ends.putIfAbsent(m.tick(), m); // commands that did no metadata I/O add no new crash point
        }
        TreeMap<Long, WriteWatcher.Mark> points = new TreeMap<>(ends);
        for (long t : flushPoints(in.metadataLog(), o)) {
            Map.Entry<Long, WriteWatcher.Mark> during = ends.ceilingEntry(t + 1);
            String command = during == null ? "the end of the log" : (during.getValue().line() == 0 ? ""
                    : "line " + during.getValue().line() + " ") + during.getValue().command();
            points.putIfAbsent(t, new WriteWatcher.Mark(0, "a flush (tick " + t + ") during " + command, t));
        }
        List<Violation> out = new ArrayList<>();
        List<Known> known = new ArrayList<>();
        // the first format runs inside the first create: up to the end of the first command that returned
        long formatEnd = isZero(in.base()) && o.recovery().test(Defect.FORMAT_UNORDERED_COMMIT) && !ends.isEmpty()
                ? ends.firstKey() : -1;
        Memo memo = new Memo();
        long states = 0;
        int eraChecks = 0;
        BigInteger possible = BigInteger.ZERO;
        for (WriteWatcher.Mark m : points.values()) {
            IoLog cut = in.metadataLog().before(m.tick());
            CrashSpace space = CrashSpace.fromLog(cut, in.base(), METADATA_ATOMIC_SECTORS);
            possible = possible.add(space.count());
            List<AckedWrite> due = in.acks().stream().filter(a -> a.logMark() <= m.tick()).toList();
            CrashSelection sel = space.select(o.seed() ^ m.tick(), o.statesPerPoint());
            int i = 0;
            for (CrashState state : sel) {
                i++;
                states++;
                String where = (m.command().startsWith("a flush") ? "crash before " : "crash after ")
                        + (m.line() == 0 ? "" : "line " + m.line() + " ") + m.command()
                        + ", state " + i + " of " + sel.size() + " (" + space.count() + " possible): " + state.describe();
                Checked c = checkState(in, o, state, due, where, memo);
                eraChecks += c.eraChecks;
                known.addAll(c.known);
                if (c.violation != null) {
                    if (m.tick() < formatEnd && !c.violation.oracle().equals(OracleIds.TRACKING)) {
                        known.add(new Known(FORMAT_UNORDERED, c.violation));
                    } else {
                        out.add(c.violation);
                    }
                    break;
                }
            }
        }
        int exact = (int) in.acks().stream().filter(AckedWrite::exact).count();
        return new Report(in.name(), points.size(), states, possible, eraChecks, in.acks().size(), exact, List.copyOf(out),
                List.copyOf(known));
    }

    /** The submit ticks of the log's flushes, at most {@code o.flushPoints()} of them, picked from the seed. */
    private static List<Long> flushPoints(IoLog log, Options o) {
        List<Long> all = new ArrayList<>();
        for (org.eratestbed.device.sim.IoRecord r : log.records()) {
            if (r.hasFlush() || r.fua()) {
                all.add(r.submitTick());
            }
        }
        if (all.size() > o.flushPoints()) {
            java.util.Collections.shuffle(all, new java.util.Random(o.seed()));
            all = new ArrayList<>(all.subList(0, o.flushPoints()));
        }
        return all;
    }

    private record Checked(Violation violation, int eraChecks, List<Known> known) {
    }

    /**
     * What is already known about a content: many crash points share states (a command's end is the next
     * flush's start), and era_check is a process per state, so each content is checked once; recovery depends
     * on which writes are due as well, so it is remembered per content and number of due writes.
     */
    private static final class Memo {
        final Set<ContentHash> consistent = new HashSet<>();
        final Set<String> tracked = new HashSet<>();
    }

    private static Checked checkState(Input in, Options o, CrashState state, List<AckedWrite> due, String where,
            Memo memo) {
        ContentHash hash = state.contentHash();
        String trackKey = hash + "/" + due.size();
        if (memo.tracked.contains(trackKey)) {
            return new Checked(null, 0, List.of());
        }
        CrashStateSource source = new CrashStateSource(state);
        int eraChecks = 0;
        List<Known> known = new ArrayList<>();
        if (!memo.consistent.contains(hash) && !source.isZero(0)) {
            // an all-zero superblock is unformatted metadata: create formats it, so only tracking can fail
            CheckReport report = EraCheck.check(source);
            if (!report.ok()) {
                return new Checked(new Violation(OracleIds.METADATA_CONSISTENCY, "check: " + String.join("; ",
                        report.lines().subList(0, Math.min(3, report.lines().size()))), where), eraChecks, known);
            }
            if (o.eraCheck() != null) {
                eraChecks++;
                org.eratestbed.model.era.tools.thin.ThinTools.Result tpt = org.eratestbed.model.era.tools.thin.ThinTools.run(
                        bytes(state.materialize()), "era_check", "{img}");
                String output = (tpt.out() + tpt.err()).strip();
                if (!tpt.ok()) {
                    Violation v = new Violation(OracleIds.METADATA_CONSISTENCY, "era_check exited " + tpt.code()
                            + " where the model's check is clean: " + output.replace('\n', ' '), where);
                    if (!(nrBlocks(source) == 0 && output.contains("Effected eras: [1, 0)"))) {
                        return new Checked(v, eraChecks, known);
                    }
                    known.add(new Known(TPT_EMPTY_ERA_ARRAY, v)); // the tool's false alarm: go on to recovery
                }
            }
        }
        memo.consistent.add(hash);
        Violation v = recoverAndTrack(in, o, state, due, where);
        if (v == null) {
            memo.tracked.add(trackKey);
        }
        return new Checked(v, eraChecks, known);
    }

    private static Violation recoverAndTrack(Input in, Options o, CrashState state, List<AckedWrite> due, String where) {
        ModelTarget rec = new ModelTarget(o.recovery(), new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
        try {
            rec.startOn(in.target(), state.toDisk());
            Result created = rec.create();
            if (!(created instanceof Result.Done)) {
                return due.isEmpty() ? null : new Violation(OracleIds.LIVENESS,
                        "recovery: the target cannot be created again on the crashed metadata: " + lines(created), where);
            }
            Result removed = rec.remove();
            if (!(removed instanceof Result.Done)) {
                return new Violation(OracleIds.LIVENESS, "recovery: remove failed: " + lines(removed), where);
            }
            byte[] image = rec.metadataImage();
            Map<Long, BitSet> since = new HashMap<>();
            for (AckedWrite a : due) {
                BitSet listed = since.computeIfAbsent(a.era(), e -> listed(image, e));
                if (!listed.get(Math.toIntExact(a.block()))) {
                    return new Violation(OracleIds.TRACKING, "block " + a.block() + " (write at line " + a.line()
                            + ", acknowledged in era " + (a.exact() ? "" : ">= ") + a.era()
                            + ") is missing from invalidate --written-since " + a.era() + " after recovery", where);
                }
            }
            return null;
        } finally {
            rec.close();
        }
    }

    private static BitSet listed(byte[] image, long era) {
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), era, false, false, new InvalidateXml.RunWriter(xml));
        BitSet b = new BitSet();
        for (long[] r : InvalidateXml.parse(xml.toString())) {
            b.set(Math.toIntExact(r[0]), Math.toIntExact(r[1]));
        }
        return b;
    }

    private static long nrBlocks(CrashStateSource source) {
        return Superblock.read(new MetadataReader(source), DiskFormat.SUPERBLOCK_LOCATION).nrBlocks();
    }

    private static boolean isZero(PageImage image) {
        for (long s = 0; s < METADATA_ATOMIC_SECTORS; s++) {
            if (!image.isZero(s)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(PageImage image) {
        byte[] out = new byte[Math.toIntExact(image.sizeSectors() * BlockDevice.SECTOR_SIZE)];
        image.read(0, out, 0, Math.toIntExact(image.sizeSectors()));
        return out;
    }

    private static String lines(Result r) {
        return r instanceof Result.Failed f ? String.join(" | ", f.lines()) : r.getClass().getSimpleName();
    }
}
