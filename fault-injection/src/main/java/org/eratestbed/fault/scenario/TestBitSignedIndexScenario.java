package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * M11: test_bit's index is a signed int, so an origin of more than 2^31 blocks has block numbers it cannot
 * address; valid_nr_blocks must refuse such a table before anything is built for it.
 */
final class TestBitSignedIndexScenario extends Scenario {
    static final long BLOCKS = (1L << 31) + 1;
    static final String ALLOCATED = "metadata_resize: writesets allocated";

    @Override
    public Defect defect() {
        return Defect.M11_TEST_BIT_SIGNED_INDEX;
    }

    @Override
    public String oracleText() {
        return "a table whose last block number (here 2^31) does not fit test_bit's signed int index is refused with"
                + " -EINVAL ('Invalid number of origin blocks') before anything is allocated for it";
    }

    @Override
    public String howModelled() {
        return "dmsetup create of a " + BLOCKS + "-block origin (8-sector blocks). The run stops where metadata_resize"
                + " has vzalloc'd the in-core bitsets (a sleeping point), or at the create's end. The reviewed code"
                + " has no cap below 2^32, so it gets there: block 2^31's index, (int) 2147483648 = "
                + (int) (1L << 31) + ", addresses memory before the bitmap. Said plainly: the model does not go on to"
                + " build the ~8 GiB era array such an origin needs (its dm_array takes sizes below 2^31, and no"
                + " scenario should allocate that much), so the wrong-bit write itself is not reached; the scenario"
                + " shows the missing refusal and the index that results.";
    }

    /**
     * The in-core bitsets' bytes while metadata_resize is paused after its vzallocs, read from the machine's
     * ledger: everything live then is this metadata object's tm, sm and its two bitsets (the resize may run in
     * the ctr, before the table is live, so the target is not reachable from the device).
     */
    static long incoreBitsetBytes(Machine m) {
        return m.vmalloc.liveBytes() - EraMetadata.TM_OBJECT_BYTES - EraMetadata.SM_OBJECT_BYTES;
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M11_TEST_BIT_SIGNED_INDEX);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            DeterministicScheduler.Actor create = m.start("create", () -> {
                m.dm.create(Machine.table(BLOCKS));
                return null;
            });
            m.scheduler.runUntil(() -> create.finished() || create.at().equals(ALLOCATED));
            boolean accepted = !create.finished();
            if (accepted) {
                ev.add("create of " + BLOCKS + " blocks passed valid_nr_blocks: metadata_resize vzalloc'd "
                        + incoreBitsetBytes(m) + " bytes of in-core bitsets; block 2^31 becomes test_bit index "
                        + (int) (1L << 31));
            } else {
                ev.add("create of " + BLOCKS + " blocks: " + Machine.outcome(create));
            }
            m.log.all().stream().filter(l -> l.contains("era:")).distinct().forEach(l -> ev.add("log: " + l));
            return new SideRun(accepted, "dmsetup create with 2^31 + 1 blocks", ev, List.of());
        }
    }
}
