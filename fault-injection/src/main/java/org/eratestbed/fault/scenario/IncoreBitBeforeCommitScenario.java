package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * 2099b145 (reference section 5, scenario 1): W1 to an unmarked block is deferred; the worker marks the writeset
 * and is preempted before its commit; W2 to the same block passes era_map's fast path and completes; crash.
 */
final class IncoreBitBeforeCommitScenario extends Scenario {
    static final long BLOCK = 5;
    static final String HOLD = "actor:dm-era@worker: writeset marked, before commit";

    @Override
    public Defect defect() {
        return Defect.INCORE_BIT_BEFORE_COMMIT;
    }

    @Override
    public String oracleText() {
        return "every write acknowledged in era E is listed by invalidate --written-since E after crash and recovery";
    }

    @Override
    public String howModelled() {
        return "Interleaving held by the scheduler: dd-1 writes block " + BLOCK + " (unmarked) and is deferred; the"
                + " worker marks the writeset and is held at 'writeset marked, before commit'; dd-2 writes block "
                + BLOCK + "; the power goes as soon as dd-2 is acknowledged. Every crash state of the metadata disk is"
                + " recovered with the fixed code (create, remove) and era_invalidate is asked.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.UPSTREAM, Defect.INCORE_BIT_BEFORE_COMMIT);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        StepPolicy policy = new StepPolicy().hold(HOLD);
        String table = Machine.table(16);
        CrashSpace space;
        boolean acked;
        long era;
        List<String> trace;
        try (Machine m = new Machine(side.predicate(), new Machine.Config().policy(policy))) {
            m.create(table);
            m.settle();
            era = m.era();
            DeterministicScheduler.Actor w1 = m.start("dd-1", () -> m.writeBody(BLOCK, Machine.BLOCK_SECTORS));
            DeterministicScheduler.Actor w2 = m.start("dd-2", () -> m.writeBody(BLOCK, Machine.BLOCK_SECTORS));
            m.scheduler.runUntil(w2::finished);
            acked = w2.done();
            ev.add("at the crash: dd-2 " + (acked ? "acknowledged" : "not acknowledged") + ", dd-1 "
                    + (w1.done() ? "acknowledged" : "not acknowledged (" + w1.at() + ")") + "; era " + era);
            trace = steps(m, "dd-1", "dd-2", "dm-era");
            space = m.crash();
        }
        ev.add("metadata crash space: " + space);
        boolean violated = false;
        for (CrashState s : Recovery.states(space)) {
            Recovery.StateResult r = Recovery.recover(Side.of(Variant.UPSTREAM), s, table, era);
            boolean lost = acked && !r.listed().contains(BLOCK);
            violated |= lost;
            ev.add(r.state() + ": invalidate --written-since " + era + " lists " + r.listed()
                    + (lost ? " — block " + BLOCK + " MISSING (acknowledged in era " + era + ")" : ""));
        }
        return new SideRun(violated, "crash right after dd-2 completed, worker held before metadata_commit", ev, trace);
    }
}
