package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * M1 (reference section 5, scenario 10): a write to an already-marked block is remapped at once and is still in
 * flight when a checkpoint starts era E+1; its data reaches the origin in E+1 but it is recorded only in E.
 */
final class InflightWriteScenario extends UpstreamUnfixedScenario {
    static final long BLOCK = 4;

    @Override
    public Defect defect() {
        return Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT;
    }

    @Override
    public String oracleText() {
        return "a write whose data reaches the origin after the checkpoint to era E+1 returned is listed by"
                + " invalidate --written-since E+1";
    }

    @Override
    public String howModelled() {
        return "The origin completes writes only when the scheduler fires them (queued completions). Block " + BLOCK
                + " is written once (marked in era E); a second write to it passes era_map's fast path and is held in"
                + " flight; dmsetup message checkpoint runs; only when nothing else can run does the origin complete"
                + " the write. Then suspend (archives era E+1) and era_invalidate --written-since E+1. Hardened drains"
                + " writes in flight before the era changes, so the write lands in era E, before the checkpoint"
                + " returns.";
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config().queuedOrigin())) {
            m.create(Machine.table(16));
            m.settle();
            long e = m.era();
            ev.add(m.write(BLOCK) + " in era " + e + " (block " + BLOCK + " now marked)");
            AtomicBoolean checkpointReturned = new AtomicBoolean();
            AtomicBoolean landedAfterCheckpoint = new AtomicBoolean();
            DeterministicScheduler.Actor w = m.start("dd", () -> {
                m.writeBody(BLOCK, Machine.BLOCK_SECTORS);
                landedAfterCheckpoint.set(checkpointReturned.get());
                return null;
            });
            DeterministicScheduler.Actor cp = m.start("checkpoint", () -> {
                m.dm.message("checkpoint");
                checkpointReturned.set(true);
                return null;
            });
            m.scheduler.runUntil(() -> w.finished() && cp.finished());
            ev.add(Machine.outcome(w) + ", " + Machine.outcome(cp) + "; the write completed "
                    + (landedAfterCheckpoint.get() ? "AFTER" : "before") + " the checkpoint returned");
            List<String> trace = steps(m, "dd", "checkpoint", "dm-era");
            ev.add(m.suspend().toString() + " (archives era " + (e + 1) + ")");
            TreeSet<Long> listed = Machine.invalidate(m.metadataImage(), e + 1, false);
            boolean missing = landedAfterCheckpoint.get() && !listed.contains(BLOCK);
            ev.add("invalidate --written-since " + (e + 1) + " lists " + listed
                    + (missing ? " — block " + BLOCK + " MISSING: its data reached the origin in era " + (e + 1) : ""));
            return new SideRun(missing, "write to a marked block held in flight across checkpoint", ev, trace);
        }
    }
}
