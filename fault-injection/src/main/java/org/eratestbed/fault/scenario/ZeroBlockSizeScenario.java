package org.eratestbed.fault.scenario;

import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M3: block size 0 must be refused by the constructor, not accepted and divided by later. */
final class ZeroBlockSizeScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M3_ZERO_BLOCK_SIZE;
    }

    @Override
    public String oracleText() {
        return "a table with block size 0 is refused by the constructor with -EINVAL; nothing divides by it";
    }

    @Override
    public String howModelled() {
        return "dmsetup create with block size 0: the reviewed ctr skips valid_block_size, formats the metadata and"
                + " the resume's calc_nr_blocks (or the first bio's get_block) divides by zero (ArithmeticException"
                + " = the kernel's divide error); the fixed ctr returns 'Invalid block size'.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M3_ZERO_BLOCK_SIZE);
    }

    @Override
    SideRun run(Side side) {
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            String table = "0 128 era " + Machine.METADATA + " " + Machine.ORIGIN + " 0";
            Machine.Outcome o = m.create(table);
            boolean refused = o.error() != null && o.error().getMessage().contains("Invalid block size");
            return new SideRun(!refused, "dmsetup create '" + table + "'", List.of("result: " + o), List.of());
        }
    }
}
