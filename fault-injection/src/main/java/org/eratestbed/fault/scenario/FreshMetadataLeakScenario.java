package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M8: a create_fresh_metadata that fails must destroy the tm and sm it created. */
final class FreshMetadataLeakScenario extends Scenario {
    /** Five blocks hold the fresh space map (superblock, bitmap, index, ref-count root) and the writeset tree's root, not the era array. */
    static final long TINY_BLOCKS = 5;
    static final long METADATA_SECTORS = TINY_BLOCKS * 8;
    static final int ATTEMPTS = 3;

    @Override
    public Defect defect() {
        return Defect.M8_FRESH_METADATA_LEAK;
    }

    @Override
    public String oracleText() {
        return "a failed dmsetup create leaves nothing allocated (the vmalloc ledger is back to zero)";
    }

    @Override
    public String howModelled() {
        return "The metadata device has " + TINY_BLOCKS + " blocks: dm_tm_create_with_sm succeeds, then"
                + " dm_array_empty fails with -ENOSPC inside create_fresh_metadata. The tm and"
                + " sm (kzalloc'd structs) are charged to the machine's allocation ledger while they exist; the"
                + " reviewed error path returned without destroying them. " + ATTEMPTS + " attempts.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M8_FRESH_METADATA_LEAK);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config().metadataSectors(METADATA_SECTORS))) {
            boolean allFailed = true;
            for (int i = 1; i <= ATTEMPTS; i++) {
                Machine.Outcome o = m.create(Machine.table(16));
                allFailed &= o.error() != null;
                ev.add("attempt " + i + ": " + o + "; live allocations " + m.vmalloc.liveAllocations() + " ("
                        + m.vmalloc.liveBytes() + " bytes)");
            }
            m.log.all().stream().distinct().forEach(l -> ev.add("log: " + l));
            if (!allFailed) {
                ev.add("setup did not fail as intended: the scenario proves nothing");
            }
            return new SideRun(!allFailed || m.vmalloc.liveAllocations() != 0,
                    ATTEMPTS + " x dmsetup create on a " + TINY_BLOCKS + "-block metadata device", ev, List.of());
        }
    }
}
