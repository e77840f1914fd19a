package org.eratestbed.fault.scenario;

import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M5: reopening valid metadata on a strict-alignment CPU must not fault on the space-map root at offset 44. */
final class SmRootUnalignedScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M5_SM_ROOT_UNALIGNED;
    }

    @Override
    public String oracleText() {
        return "metadata the target itself wrote reopens (create, remove, create) on every CPU the kernel supports";
    }

    @Override
    public String howModelled() {
        return "Not a Java bug (ByteBuffer.getLong works at any offset): the machine is built as a strict-alignment"
                + " CPU (Machine option, off by default). The reviewed sm_ll_open_metadata loads the root's __le64"
                + " fields in place at byte 44 of the packed superblock, which such a CPU traps (the model throws"
                + " AlignmentFault = the oops); the fixed path memcpy's the root into an aligned buffer first."
                + " The on-disk offset is 44 in every variant.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M5_SM_ROOT_UNALIGNED);
    }

    @Override
    SideRun run(Side side) {
        try (Machine m = new Machine(side.predicate(), new Machine.Config().strictAlignment())) {
            Machine.Outcome first = m.create(Machine.table(16));
            Machine.Outcome removed = m.remove();
            Machine.Outcome reopen = m.create(Machine.table(16));
            return new SideRun(!reopen.ok(), "strict-alignment machine: create (format), remove, create (open)",
                    List.of(first.toString(), removed.toString(), "reopen: " + reopen), List.of());
        }
    }
}
