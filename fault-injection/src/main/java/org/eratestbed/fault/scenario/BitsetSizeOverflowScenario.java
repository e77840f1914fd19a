package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * M12: bitset_size(nr_bits) in 32-bit arithmetic wraps for nr_bits near 2^32: the in-core bitset vzalloc'd for
 * 2^32 - 1 bits is 0 bytes. Reachable only without M11's cap, as in the reviewed code.
 */
final class BitsetSizeOverflowScenario extends Scenario {
    static final long BLOCKS = 0xFFFF_FFFFL;

    @Override
    public Defect defect() {
        return Defect.M12_BITSET_SIZE_OVERFLOW;
    }

    @Override
    public String oracleText() {
        return "no in-core bitset is allocated smaller than its bits need (nr_bits / 8 bytes); a size that cannot be"
                + " allocated is refused";
    }

    @Override
    public String howModelled() {
        return "dmsetup create of a 2^32 - 1 block origin; the run stops where metadata_resize has vzalloc'd the"
                + " two in-core bitsets (a sleeping point) and reads their sizes. bitset_size(4294967295) computes"
                + " (4294967295 + 63) in 32 bits = 62, / 64 = 0 words: 0-byte bitsets for 2^32 - 1 bits, which every"
                + " test_bit would overrun. Reachable only with M11's cap lifted too (the reviewed code), so this side"
                + " has M11 on. The fixed code refuses the size before allocating.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M11_TEST_BIT_SIGNED_INDEX, Defect.M12_BITSET_SIZE_OVERFLOW);
    }

    @Override
    Predicate<Defect> neededWith() {
        return d -> d == Defect.M11_TEST_BIT_SIGNED_INDEX;
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            DeterministicScheduler.Actor create = m.start("create", () -> {
                m.dm.create(Machine.table(BLOCKS));
                return null;
            });
            m.scheduler.runUntil(() -> create.finished() || create.at().equals(TestBitSignedIndexScenario.ALLOCATED));
            boolean undersized = false;
            if (!create.finished()) {
                long bytes = TestBitSignedIndexScenario.incoreBitsetBytes(m);
                long needed = 2 * ((BLOCKS + 63) / 64) * 8;
                undersized = bytes < needed;
                ev.add("metadata_resize vzalloc'd " + bytes + " bytes for two bitsets of " + BLOCKS + " bits (they need "
                        + needed + ")" + (undersized ? " — UNDERSIZED: bitset_size wrapped" : ""));
            } else {
                ev.add("create of " + BLOCKS + " blocks: " + Machine.outcome(create));
            }
            m.log.all().stream().filter(l -> l.contains("era:")).distinct().forEach(l -> ev.add("log: " + l));
            return new SideRun(undersized, "dmsetup create with 2^32 - 1 blocks", ev, List.of());
        }
    }
}
