package org.eratestbed.fault.scenario;

import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M2: a constructor that fails before the metadata is opened must return its error, not oops in era_destroy. */
final class DestroyNullMetadataScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M2_DESTROY_NULL_METADATA;
    }

    @Override
    public String oracleText() {
        return "a table line the constructor rejects gives the ioctl error (-EINVAL), never a kernel oops";
    }

    @Override
    public String howModelled() {
        return "dmsetup create with block size 12 (not a multiple of 8): valid_block_size fails before metadata_open,"
                + " so era_destroy runs with era->md == NULL; the reviewed destroy closes it unconditionally"
                + " (NullPointerException = the oops), the fixed one checks it first.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M2_DESTROY_NULL_METADATA);
    }

    @Override
    SideRun run(Side side) {
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            Machine.Outcome o = m.create(Machine.table(16, 12));
            boolean oops = o.oops() != null;
            return new SideRun(oops || o.ok(), "dmsetup create '" + Machine.table(16, 12) + "'",
                    List.of("result: " + o), List.of());
        }
    }
}
