package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * cca2c6ae (reference section 5, scenario 4b): a table that is loaded and never resumed must leave the live
 * table's metadata alone. Before the fix the ctr resized the metadata.
 */
final class ResizeInPreresumeScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.RESIZE_IN_PRERESUME;
    }

    @Override
    public String oracleText() {
        return "a table that is loaded and cleared without being resumed writes nothing to the metadata device, and"
                + " the live table's metadata passes check";
    }

    @Override
    public String howModelled() {
        return "Live table A (16 blocks) writes block 0; dmsetup load of table B (32 blocks, the origin grew) on the"
                + " same devices; A writes blocks 1..4 and checkpoints (commits); dmsetup clear drops B: its"
                + " destructor's dm_block_manager_destroy writes what B's buffer cache holds dirty. Before the fix B's"
                + " ctr resized the era array in its own, never committed transaction, in blocks its stale space map"
                + " took for free; the fixed ctr only reads. In this run those blocks are not (yet) ones A's"
                + " committed metadata uses, so check still passes and the violation is the write itself: a table"
                + " that was never resumed changed the live table's metadata device, and A may allocate those blocks"
                + " at any later commit. The pre-fix preresume branch that resized through the worker is modelled"
                + " too but was unreachable, because the ctr had already resized (part (a) of the reference's"
                + " scenario 4 belongs to a draft of the fix, not to released code).";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.UPSTREAM, Defect.RESIZE_IN_PRERESUME);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.settle();
            ev.add(m.write(0) + " on live table A (16 blocks)");
            Machine.Outcome load = m.load(Machine.table(32));
            ev.add("dmsetup load of table B (32 blocks): " + load);
            for (long block = 1; block < 5; block++) {
                ev.add(m.write(block) + " on A (a commit)");
            }
            ev.add(m.message("checkpoint") + " on A (a commit)");
            m.settle();
            int mark = m.metadataIoMark();
            Machine.Outcome clear = m.clear();
            List<Long> written = m.metadataBlocksWrittenSince(mark);
            ev.add("dmsetup clear: " + clear + "; metadata blocks written by B's teardown: " + written);
            List<String> problems = Machine.check(m.metadataImage());
            ev.add("check of the metadata device now (what a crash now would leave): "
                    + (problems.isEmpty() ? "no problem" : String.join(" | ", problems.subList(0,
                            Math.min(4, problems.size())))));
            return new SideRun(!written.isEmpty() || !problems.isEmpty(), "load B, A commits, clear B", ev, List.of());
        }
    }
}
