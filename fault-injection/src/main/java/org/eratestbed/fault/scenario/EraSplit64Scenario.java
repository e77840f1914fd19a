package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.SuperblockDisk;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * M6: the reviewed 64-bit era counter on a 32-bit CPU is two words; a status that reads it while the worker's
 * checkpoint carries it across 2^32 sees an era that never existed.
 */
final class EraSplit64Scenario extends Scenario {
    static final long START = 0xFFFF_FFFEL;
    static final String HOLD = "actor:dm-era@current_era: low half stored";

    @Override
    public Defect defect() {
        return Defect.M6_ERA_32_64_BIT_MIX;
    }

    @Override
    public String oracleText() {
        return "the era a status reports is one the era counter held (the era before or after a concurrent"
                + " checkpoint); an era from the future, or one that never existed, is a violation (the u32"
                + " wrap to 0 aside, which is a value the fixed counter does hold)";
    }

    @Override
    public String howModelled() {
        return "Superblock crafted with current_era 0xFFFFFFFE, so the first resume makes it 0xFFFFFFFF. A checkpoint"
                + " runs; the worker's increment of the split 64-bit counter stores the low word and is held there;"
                + " a status runs meanwhile and loads both words. The reviewed status read the counter outside the"
                + " worker (M13's unlocked status), so this side has M13 on as well; the fixed status is an RPC that"
                + " runs in the worker, and the fixed era is one u32.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M6_ERA_32_64_BIT_MIX, Defect.M13_NR_FREE_TORN_READ);
    }

    @Override
    Predicate<Defect> neededWith() {
        return d -> d == Defect.M13_NR_FREE_TORN_READ;
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        byte[] crafted;
        try (Machine m = new Machine(Side.of(Variant.UPSTREAM).predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.remove();
            crafted = Machine.patchSuperblock(m.metadataImage(),
                    b -> b.putInt(SuperblockDisk.OFF_CURRENT_ERA, (int) START));
        }
        StepPolicy policy = new StepPolicy().hold(HOLD);
        Machine.Config c = new Machine.Config().metadataBase(Machine.imageOf(crafted, 4 << 11)).policy(policy);
        try (Machine m = new Machine(side.predicate(), c)) {
            m.create(Machine.table(16));
            m.settle();
            long before = m.era();
            DeterministicScheduler.Actor cp = m.start("checkpoint", () -> {
                m.dm.message("checkpoint");
                return null;
            });
            DeterministicScheduler.Actor st = m.start("status", () -> m.dm.status(StatusType.INFO));
            m.scheduler.runUntil(() -> cp.finished() && st.finished());
            List<String> trace = steps(m, "checkpoint", "status", "dm-era");
            long during = Long.parseLong(((String) st.result()).split(" ")[5]);
            long after = m.era();
            boolean existed = during == before || during == after;
            ev.add("era before the checkpoint " + before + " (0x" + Long.toHexString(before) + "), after " + after
                    + " (0x" + Long.toHexString(after) + ")");
            ev.add("status during it: '" + st.result() + "' = era " + during + " (0x" + Long.toHexString(during) + ")"
                    + (existed ? "" : " — an era the counter NEVER held"));
            return new SideRun(!existed, "status while the worker's era increment is between its two word stores", ev,
                    trace);
        }
    }
}
