package org.eratestbed.fault.campaign;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.CrashSelection;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.CrashStateSource;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.model.PageImageSource;
import org.eratestbed.fault.replay.TargetUnderTest.Result;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.kernel.ScriptedPolicy;

/**
 * The design's oracles, applied to what a run left: for each crash state of the metadata device (paired with
 * a crash state of the origin), is the metadata consistent (checked by the independent reader), does the
 * target come back on it, does the era never go back, does every origin block read back through the
 * recovered target hold what the block-device contract allows ({@link LinearData}), and — after a clean
 * remove — does {@code invalidate --written-since E} list every block whose write was acknowledged in era E.
 * A write that was issued in an earlier era than it was acknowledged in and is only recorded in the earlier
 * one is an in-flight violation (M1), not a lost write. At the end of a run that did not crash, the origin as
 * reads see it is checked too. In runs with device faults, {@link DeviceFaults} judges each violation: a
 * device's lie excuses it (reported apart, as expected), an honest error that never reached the user turns a
 * lost write into a silent-loss violation.
 */
public final class Oracles {
    /** One oracle failure on one state. */
    public record Violation(String oracle, String message, String state) {
        /** Not dm-era's failure but the testbed's: the run could not be executed (see OracleIds.HARNESS). */
        static Violation harness(RuntimeException e) {
            return new Violation(org.eratestbed.fault.result.OracleIds.HARNESS,
                    "the testbed could not run this run: " + e, "no crash state");
        }
    }

    /** A violation that a device fault of the run explains: expected, not a dm-era finding. */
    public record Expected(Violation violation, String deviceCause, String fault) {
    }

    /** What checking a run gave: dm-era violations, and those the run's device faults explain. */
    record Checked(BigInteger statesTotal, int statesChecked, List<Violation> violations, List<Expected> expected) {
        Violation first() {
            return violations.isEmpty() ? null : violations.get(0);
        }
    }

    /** Origin crash states tear sector by sector: an era block is several sectors and a disk writes each alone. */
    static final int ORIGIN_ATOMIC_SECTORS = 1;

    /** Metadata crash states are taken with 4 KiB atomic writes: a metadata block is one physical sector. */
    static final int METADATA_ATOMIC_SECTORS = 8;

    private Oracles() {
    }

    static Checked check(Predicate<Defect> live, RunExecutor.Outcome o, long stateSeed, int maxStates) {
        return check(live, o, stateSeed, maxStates, true, true);
    }

    /**
     * The oracles violated on any selected state (no stop at the first, no device fault's excuse), for the
     * comparisons a verdict makes: the same plan without faults, or with a fail mode.
     */
    private static Set<String> violatedOracles(Predicate<Defect> live, RunExecutor.Outcome o, long stateSeed,
            int maxStates) {
        Set<String> ids = new HashSet<>();
        for (Violation v : check(live, o, stateSeed, maxStates, false, false).violations()) {
            ids.add(v.oracle());
        }
        return ids;
    }

    private static Checked check(Predicate<Defect> live, RunExecutor.Outcome o, long stateSeed, int maxStates,
            boolean stopAtFirst, boolean judge) {
        List<Violation> out = new ArrayList<>();
        List<Expected> expected = new ArrayList<>();
        DeviceFaults.Counterfactuals compare = judge && o.plan().hasFaults()
                ? counterfactuals(live, o, stateSeed, maxStates) : null;
        for (String s : o.stuck()) {
            record(o, compare, null, new Violation(OracleIds.LIVENESS, s, "before the crash"), out, expected);
        }
        Command.Target recovery = TableHistory.recovery(o);
        long bs = recovery.blockSize();
        long nrBlocks = recovery.originBlocks();
        if (o.kind() == CrashKind.NONE && o.stuck().isEmpty()) {
            // Every command returned: the origin as reads see it must hold, per block, a write the user may
            // still expect there (read straight from the disk: the run's target is gone with its scheduler).
            PageImage img = o.model().originDisk().image();
            byte[] content = new byte[Math.toIntExact(nrBlocks * bs * BlockDevice.SECTOR_SIZE)];
            img.read(0, content, 0, (int) (nrBlocks * bs));
            String bad = TableHistory.linearData(o, LinearData.Mode.END).check(content, nrBlocks);
            if (bad != null) {
                record(o, compare, null, new Violation(OracleIds.LINEAR_DATA, bad, "end of the run, origin as reads see it"),
                        out, expected);
            }
        }
        LinearData afterCrash = TableHistory.linearData(o, LinearData.Mode.CRASH);
        // What invalidate owes depends on the run only: worked out once, not for every crash state.
        List<ModelTarget.WriteAck> owed = TableHistory.owed(o);
        CrashSpace space = o.model().metadataDisk().crash(o.plan().tornMetadata() ? 1 : METADATA_ATOMIC_SECTORS);
        CrashSelection sel = space.select(stateSeed, maxStates);
        CrashSpace originSpace = o.model().originDisk().crash(ORIGIN_ATOMIC_SECTORS);
        List<CrashState> origins = new ArrayList<>();
        originSpace.select(~stateSeed, maxStates).forEach(origins::add);
        int checked = 0;
        int index = 0;
        long originBytes = nrBlocks * bs * BlockDevice.SECTOR_SIZE;
        // Two origin-sized buffers for the whole run, not two fresh ones per state (each is zeroed when made).
        byte[][] buffers = {new byte[Math.toIntExact(originBytes)], new byte[Math.toIntExact(originBytes)]};
        for (CrashState state : sel) {
            CrashState originState = origins.get(index % origins.size());
            index++;
            checked++;
            // Described only for a violation: describing both states cost as much as some oracles.
            int nr = index;
            Supplier<String> where = () -> "state " + nr + " of " + sel.size() + " (" + space.count() + " possible): "
                    + state.describe() + "; origin: " + originState.describe();
            Violation v = checkState(live, o, state, originState, afterCrash, index == 1, where, buffers, owed);
            if (v != null && !record(o, compare, state, v, out, expected) && stopAtFirst) {
                break; // one witness per run is enough; shrinking and attribution work from it
            }
        }
        return new Checked(space.count(), checked, out, expected);
    }

    /**
     * Files {@code v} as a dm-era violation or as expected under the run's device faults; true when the search
     * should go on (an expected one does not hide a later real one).
     */
    private static boolean record(RunExecutor.Outcome o, DeviceFaults.Counterfactuals compare, CrashState state,
            Violation v, List<Violation> out, List<Expected> expected) {
        if (compare == null) {
            out.add(v);
            return false;
        }
        DeviceFaults.Verdict verdict = DeviceFaults.judge(o, state, v, compare);
        if (verdict.isDeviceFault()) {
            // One witness per oracle and fault is enough; later states mostly repeat it.
            if (expected.stream().noneMatch(e -> e.violation().oracle().equals(v.oracle())
                    && e.fault().equals(verdict.fault()))) {
                expected.add(new Expected(v, verdict.deviceCause(), verdict.fault()));
            }
            return true;
        }
        out.add(verdict.violation());
        return false;
    }

    /**
     * The runs a verdict compares with, each executed once and only when asked: the same plan on honest disks,
     * and — when the run's code commits after a failed metadata write — the same plan on the same faulty disks
     * with the fail mode that refuses it.
     */
    private static DeviceFaults.Counterfactuals counterfactuals(Predicate<Defect> live, RunExecutor.Outcome o,
            long stateSeed, int maxStates) {
        Supplier<Set<String>> honest = memo(() -> {
            RunPlan plan = o.plan().withFaults(FaultPlan.NONE, FaultPlan.NONE, false);
            return violatedOracles(live, RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS), stateSeed, maxStates);
        });
        Predicate<Defect> failMode = live.and(d -> d != Defect.COMMIT_AFTER_FAILED_WRITE);
        Supplier<Set<String>> withFailMode = !live.test(Defect.COMMIT_AFTER_FAILED_WRITE) ? null : memo(() ->
                violatedOracles(failMode, RunExecutor.execute(failMode, o.plan(), RunGenerator.MAX_STEPS), stateSeed,
                        maxStates));
        return new DeviceFaults.Counterfactuals(honest, withFailMode);
    }

    private static Supplier<Set<String>> memo(Supplier<Set<String>> compute) {
        @SuppressWarnings("unchecked")
        Set<String>[] memo = new Set[1];
        return () -> {
            if (memo[0] == null) {
                memo[0] = compute.get();
            }
            return memo[0];
        };
    }

    private static Violation checkState(Predicate<Defect> live, RunExecutor.Outcome o, CrashState state,
            CrashState originState, LinearData linear, boolean readThroughTarget, Supplier<String> where,
            byte[][] buffers, List<ModelTarget.WriteAck> owed) {
        CrashStateSource source = new CrashStateSource(state);
        if (!source.isZero(0)) {
            CheckReport report = EraCheck.check(source);
            if (!report.ok()) {
                return new Violation(OracleIds.METADATA_CONSISTENCY,
                        "check of the crashed metadata: " + String.join("; ", report.lines().subList(0,
                                Math.min(3, report.lines().size()))), where.get());
            }
        }
        Command.Target t = TableHistory.recovery(o);
        ModelTarget rec = new ModelTarget(live, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
        try {
            rec.startOn(t, disk(state, "metadata"), disk(originState, "origin"));
            Result created = rec.create();
            if (!(created instanceof Result.Done)) {
                if (o.acks().isEmpty() && o.visibleEra() == 0) {
                    return null; // nothing was promised yet
                }
                return new Violation(OracleIds.LIVENESS, "recovery: the target cannot be created again: "
                        + lines(created), where.get());
            }
            // The era a status would show, read from the live target: a status command is one more actor (a
            // thread hand-off) per state for the same number.
            long era = rec.currentEra() < 0 ? -1 : Integer.toUnsignedLong(rec.currentEra());
            if (era >= 0 && era < Integer.toUnsignedLong(o.visibleEra())) {
                return new Violation(OracleIds.ERA_FROM_FUTURE, "recovery: current era " + era
                        + " is below era " + o.visibleEra() + " that a status or message showed before the crash", where.get());
            }
            // The first state of a run is read through the recovered target (dm core splits the read, era maps
            // each piece); later ones straight from the origin state. A read's mapping is a stateless remap that
            // the first state has exercised, while the content, which is what differs between states, is
            // checked on every one; and a read through the scheduler costs two hand-offs per era block.
            byte[] content = readThroughTarget ? rec.read(0, t.originBlocks()) : originContent(originState, t, buffers[0]);
            if (content == null) {
                return new Violation(OracleIds.LINEAR_DATA, "recovery: reading the origin through the recovered "
                        + "target failed", where.get());
            }
            String bad = linear.check(content, t.originBlocks());
            if (bad != null) {
                return new Violation(OracleIds.LINEAR_DATA, "after recovery: " + bad, where.get());
            }
            Result removed = rec.remove();
            if (!(removed instanceof Result.Done)) {
                return new Violation(OracleIds.LIVENESS, "recovery: remove failed: " + lines(removed), where.get());
            }
            // After a clean remove the origin, read directly now, holds what was read before: era never writes
            // the origin itself, so neither recovery nor removal may change a block.
            byte[] removedContent = buffers[1];
            rec.originDisk().peek(0, removedContent, 0, removedContent.length / BlockDevice.SECTOR_SIZE);
            if (!java.util.Arrays.equals(content, removedContent)) {
                String changed = linear.check(removedContent, t.originBlocks());
                return new Violation(OracleIds.LINEAR_DATA, "after a clean remove the origin differs from what was "
                        + "read before it" + (changed == null ? "" : ": " + changed), where.get());
            }
            return tracking(owed, new PageImageSource(rec.metadataDisk().image()), where);
        } finally {
            rec.close();
        }
    }

    /**
     * A fresh disk holding a crash state, for recovery. Without an I/O log: nothing reads one here, and a log
     * copies and hashes every buffer that recovery writes and reads.
     */
    private static SimDisk disk(CrashState state, String name) {
        return SimDisk.builder(state.sizeSectors()).base(state.materialize()).name(name).recordLog(false).build();
    }

    private static byte[] originContent(CrashState originState, Command.Target t, byte[] b) {
        originState.read(0, b, 0, (int) t.lengthSectors());
        return b;
    }

    /**
     * Every acknowledged write still owed ({@link TableHistory#owed}) must be listed as written since the era it
     * was acknowledged in. The eras of all
     * acknowledgements are answered from one pass over the metadata ({@link EraInvalidate#lastEras}: block b is
     * listed by {@code invalidate --written-since E} exactly when its last era is at least E).
     */
    private static Violation tracking(List<ModelTarget.WriteAck> owed, BlockSource image, Supplier<String> where) {
        if (owed.isEmpty()) {
            return null;
        }
        long minEra = Long.MAX_VALUE;
        for (ModelTarget.WriteAck a : owed) {
            minEra = Math.min(minEra, Integer.toUnsignedLong(a.ackEra()));
        }
        long[] lastEra = EraInvalidate.lastEras(image, minEra, false, false);
        for (ModelTarget.WriteAck a : owed) {
            if (a.block() >= lastEra.length || lastEra[(int) a.block()] < Integer.toUnsignedLong(a.ackEra())) {
                boolean inflight = Integer.compareUnsigned(a.issueEra(), a.ackEra()) < 0;
                String what = "block " + a.block() + " (write #" + a.seq() + ", issued in era "
                        + Integer.toUnsignedString(a.issueEra()) + ", acknowledged in era "
                        + Integer.toUnsignedString(a.ackEra()) + ") is missing from invalidate --written-since "
                        + Integer.toUnsignedString(a.ackEra()) + " after recovery";
                return new Violation(inflight ? OracleIds.IN_FLIGHT : OracleIds.TRACKING, what, where.get());
            }
        }
        return null;
    }

    private static String lines(Result r) {
        if (r instanceof Result.Failed f) {
            return String.join(" | ", f.lines());
        }
        return r.getClass().getSimpleName();
    }
}
