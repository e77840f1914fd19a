package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** 904e6b26: create/remove cycles must give back the in-core bitsets. */
final class BitsetLeakScenario extends Scenario {
    static final int CYCLES = 3;

    @Override
    public Defect defect() {
        return Defect.BITSET_LEAK;
    }

    @Override
    public String oracleText() {
        return "after dmsetup remove, nothing the target allocated is still allocated (the machine's vmalloc ledger is"
                + " back to zero)";
    }

    @Override
    public String howModelled() {
        return CYCLES + " cycles of dmsetup create (16 blocks) and remove on one machine; the Vmalloc ledger counts"
                + " every vzalloc'd in-core bitset (and the tm/sm objects). Before the fix metadata_close never freed"
                + " the two bitsets.";
    }

    @Override
    Side buggySide() {
        return Side.of(Variant.PRE_5_12);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            for (int i = 1; i <= CYCLES; i++) {
                Machine.Outcome c = m.create(Machine.table(16));
                Machine.Outcome r = m.remove();
                ev.add("cycle " + i + ": " + c + ", " + r + "; live allocations " + m.vmalloc.liveAllocations() + " ("
                        + m.vmalloc.liveBytes() + " bytes)");
            }
            return new SideRun(m.vmalloc.liveAllocations() != 0, CYCLES + " x (create; remove)", ev, List.of());
        }
    }
}
