package org.eratestbed.fault.campaign;

import java.io.StringWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.eratestbed.device.sim.CrashSelection;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
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
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.eratestbed.device.sim.SimDisk;

/**
 * The design's oracles, applied to what a run left: for each crash state of the metadata device, is the
 * metadata consistent (checked by the independent reader), does the target come back on it, does the era
 * never go back, and — after recovery and a clean remove — does {@code invalidate --written-since E} list
 * every block whose write was acknowledged in era E. A write that was issued in an earlier era than it was
 * acknowledged in and is only recorded in the earlier one is an in-flight violation (M1), not a lost write.
 */
public final class Oracles {
    /** One oracle failure on one state. */
    public record Violation(String oracle, String message, String state) {
    }

    /** What checking a run gave. */
    record Checked(BigInteger statesTotal, int statesChecked, List<Violation> violations) {
        Violation first() {
            return violations.isEmpty() ? null : violations.get(0);
        }
    }

    /** Metadata crash states are taken with 4 KiB atomic writes: a metadata block is one physical sector. */
    static final int METADATA_ATOMIC_SECTORS = 8;

    private Oracles() {
    }

    static Checked check(Predicate<Defect> live, RunExecutor.Outcome o, long stateSeed, int maxStates) {
        List<Violation> out = new ArrayList<>();
        for (String s : o.stuck()) {
            out.add(new Violation(OracleIds.LIVENESS, s, "before the crash"));
        }
        CrashSpace space = o.model().metadataDisk().crash(METADATA_ATOMIC_SECTORS);
        CrashSelection sel = space.select(stateSeed, maxStates);
        int checked = 0;
        int index = 0;
        for (CrashState state : sel) {
            index++;
            checked++;
            String where = "state " + index + " of " + sel.size() + " (" + space.count() + " possible): " + state.describe();
            Violation v = checkState(live, o, state, where);
            if (v != null) {
                out.add(v);
                break; // one witness per run is enough; shrinking and attribution work from it
            }
        }
        return new Checked(space.count(), checked, out);
    }

    private static Violation checkState(Predicate<Defect> live, RunExecutor.Outcome o, CrashState state, String where) {
        CrashStateSource source = new CrashStateSource(state);
        if (!source.isZero(0)) {
            CheckReport report = EraCheck.check(source);
            if (!report.ok()) {
                return new Violation(OracleIds.METADATA_CONSISTENCY,
                        "check of the crashed metadata: " + String.join("; ", report.lines().subList(0,
                                Math.min(3, report.lines().size()))), where);
            }
        }
        Command.Target t = o.plan().script().target();
        ModelTarget rec = new ModelTarget(live, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
        try {
            rec.startOn(t, state.toDisk());
            Result created = rec.create();
            if (!(created instanceof Result.Done)) {
                if (o.acks().isEmpty() && o.visibleEra() == 0) {
                    return null; // nothing was promised yet
                }
                return new Violation(OracleIds.LIVENESS, "recovery: the target cannot be created again: "
                        + lines(created), where);
            }
            Result status = rec.run(new Command.Simple(0, Command.Kind.STATUS));
            long era = statusEra(status);
            if (era >= 0 && era < Integer.toUnsignedLong(o.visibleEra())) {
                return new Violation(OracleIds.ERA_FROM_FUTURE, "recovery: current era " + era
                        + " is below era " + o.visibleEra() + " that a status or message showed before the crash", where);
            }
            Result removed = rec.remove();
            if (!(removed instanceof Result.Done)) {
                return new Violation(OracleIds.LIVENESS, "recovery: remove failed: " + lines(removed), where);
            }
            return tracking(o, rec.metadataImage(), where);
        } finally {
            rec.close();
        }
    }

    /** Every acknowledged write must be listed as written since the era it was acknowledged in. */
    private static Violation tracking(RunExecutor.Outcome o, byte[] image, String where) {
        Map<Integer, BitSet> since = new TreeMap<>();
        for (ModelTarget.WriteAck a : o.acks()) {
            BitSet listed = since.computeIfAbsent(a.ackEra(), e -> listed(image, e));
            if (!listed.get((int) a.block())) {
                boolean inflight = Integer.compareUnsigned(a.issueEra(), a.ackEra()) < 0;
                String what = "block " + a.block() + " (write #" + a.seq() + ", issued in era "
                        + Integer.toUnsignedString(a.issueEra()) + ", acknowledged in era "
                        + Integer.toUnsignedString(a.ackEra()) + ") is missing from invalidate --written-since "
                        + Integer.toUnsignedString(a.ackEra()) + " after recovery";
                return new Violation(inflight ? OracleIds.IN_FLIGHT : OracleIds.TRACKING, what, where);
            }
        }
        return null;
    }

    private static BitSet listed(byte[] image, int era) {
        StringWriter xml = new StringWriter();
        EraInvalidate.invalidate(new ByteArrayBlockSource(image), Integer.toUnsignedLong(era), false, false,
                new InvalidateXml.RunWriter(xml));
        BitSet b = new BitSet();
        for (long[] r : InvalidateXml.parse(xml.toString())) {
            b.set((int) r[0], (int) r[1]);
        }
        return b;
    }

    private static long statusEra(Result r) {
        return r instanceof Result.Done d && !d.lines().isEmpty() ? StatusLine.era(d.lines().get(0)) : -1;
    }

    private static String lines(Result r) {
        if (r instanceof Result.Failed f) {
            return String.join(" | ", f.lines());
        }
        return r.getClass().getSimpleName();
    }
}
