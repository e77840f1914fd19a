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
        return "dmsetup create naming an origin device that does not exist: dm_get_device fails before"
                + " metadata_open, and the ctr's error path calls era_destroy with era->md == NULL; the reviewed"
                + " destroy closes it unconditionally (NullPointerException = the oops), the fixed one checks it"
                + " first.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M2_DESTROY_NULL_METADATA);
    }

    @Override
    SideRun run(Side side) {
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            String table = "0 128 era " + Machine.METADATA + " /dev/nbd9 8";
            Machine.Outcome o = m.create(table);
            boolean oops = o.oops() != null;
            return new SideRun(oops || o.ok(), "dmsetup create '" + table + "' (no /dev/nbd9)",
                    List.of("result: " + o), List.of());
        }
    }
}
