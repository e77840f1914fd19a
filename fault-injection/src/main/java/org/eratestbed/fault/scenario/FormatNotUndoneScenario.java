package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M9: when format_metadata's superblock write fails, the tm and sm it created must be destroyed. */
final class FormatNotUndoneScenario extends Scenario {
    static final String FAULTS = "eio-write sectors=0..8";
    static final int ATTEMPTS = 3;

    @Override
    public Defect defect() {
        return Defect.M9_FORMAT_NOT_UNDONE;
    }

    @Override
    public String oracleText() {
        return "a failed dmsetup create leaves nothing allocated (the vmalloc ledger is back to zero)";
    }

    @Override
    public String howModelled() {
        return "Fault plan '" + FAULTS + "' on the metadata disk: every write of the superblock fails with EIO, so"
                + " write_superblock's dm_tm_commit fails after create_fresh_metadata succeeded. The reviewed"
                + " format_metadata returned the error keeping the tm and sm (charged to the allocation ledger);"
                + " the merged one destroys them. " + ATTEMPTS + " attempts.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M9_FORMAT_NOT_UNDONE);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        Machine.Config c = new Machine.Config().metadataFaults(FaultPlan.parse(FAULTS));
        try (Machine m = new Machine(side.predicate(), c)) {
            boolean allFailed = true;
            for (int i = 1; i <= ATTEMPTS; i++) {
                Machine.Outcome o = m.create(Machine.table(16));
                allFailed &= o.error() != null;
                ev.add("attempt " + i + ": " + o + "; live allocations " + m.vmalloc.liveAllocations() + " ("
                        + m.vmalloc.liveBytes() + " bytes)");
            }
            m.metadata.faultEvents().stream().limit(3).forEach(f -> ev.add("fault: " + f));
            if (!allFailed) {
                ev.add("setup did not fail as intended: the scenario proves nothing");
            }
            return new SideRun(!allFailed || m.vmalloc.liveAllocations() != 0,
                    ATTEMPTS + " x dmsetup create with the superblock write failing (" + FAULTS + ")", ev, List.of());
        }
    }
}
