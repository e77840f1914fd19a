package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** de89afc1 (reference section 5, scenario 2): a writeset committed in the current era survives a crash. */
final class RecoverCommittedWritesetScenario extends Scenario {
    static final long BLOCK = 3;

    @Override
    public Defect defect() {
        return Defect.RECOVER_COMMITTED_WRITESET;
    }

    @Override
    public String oracleText() {
        return "every write acknowledged in era E is listed by invalidate --written-since E after crash and recovery";
    }

    @Override
    public String howModelled() {
        return "Write block " + BLOCK + " in era E (the worker commits its mark into the superblock's current"
                + " writeset), then the power goes: no postsuspend archives it. Each crash state is reopened with the"
                + " same code (create: open, resize, preresume), removed, and era_invalidate is asked. Before the fix"
                + " open ignored the current writeset, resize reset it and preresume started a new era.";
    }

    @Override
    Side buggySide() {
        return Side.of(Variant.PRE_5_12);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        String table = Machine.table(16);
        CrashSpace space;
        long era;
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(table);
            m.settle();
            era = m.era();
            ev.add(m.write(BLOCK) + " in era " + era);
            byte[] before = m.metadataImage();
            ev.add("un-reloaded crash image: invalidate --written-since " + era + " lists "
                    + Machine.invalidate(before, era, false) + " (era_invalidate ignores the current writeset); with"
                    + " the current writeset " + Machine.invalidate(before, era, true));
            space = m.crash();
        }
        boolean violated = false;
        for (CrashState s : Recovery.states(space)) {
            Recovery.StateResult r = Recovery.recover(side, s, table, era);
            boolean lost = !r.listed().contains(BLOCK);
            violated |= lost;
            ev.add(r.state() + ": recovery " + r.recovery() + "; invalidate --written-since " + era + " lists "
                    + r.listed() + (lost ? " — block " + BLOCK + " MISSING (acknowledged in era " + era + ")" : ""));
        }
        return new SideRun(violated, "crash after the write's commit, before any suspend", ev, List.of());
    }
}
