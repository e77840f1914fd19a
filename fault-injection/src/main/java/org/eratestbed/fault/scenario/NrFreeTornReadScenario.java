package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * M13: the reviewed era_status read dm_sm_get_nr_free on the caller's thread while the worker changes it; on a
 * 32-bit CPU that is two loads, and the worker's update can fall between them.
 */
final class NrFreeTornReadScenario extends Scenario {
    static final String HOLD = "actor:status@era_status: nr_free low half loaded";

    @Override
    public Defect defect() {
        return Defect.M13_NR_FREE_TORN_READ;
    }

    @Override
    public String oracleText() {
        return "status reads nr_free as one snapshot no worker step can split (no metadata update between the two"
                + " word loads)";
    }

    @Override
    public String howModelled() {
        return "A status starts and is held between the two 32-bit loads of nr_free; a checkpoint runs meanwhile"
                + " (the worker archives the writeset and creates a new bitset: metadata blocks are allocated); then the status loads the high"
                + " word. The reviewed path reads on the caller's thread; the fixed one is an RPC in the worker, where"
                + " no update can interleave. Said plainly: the composed number is never wrong in practice, because"
                + " nr_free of a metadata device (at most 16 GiB, < 2^23 blocks) has a zero high word, so a torn pair"
                + " equals the value at the first load; what is reproduced is the unsynchronized read the review"
                + " flagged, which a 64-bit count above 2^32 would turn into a wrong number.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M13_NR_FREE_TORN_READ);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        StepPolicy policy = new StepPolicy().hold(HOLD);
        try (Machine m = new Machine(side.predicate(), new Machine.Config().policy(policy))) {
            m.create(Machine.table(16));
            m.settle();
            EraMetadata md = m.target().metadata();
            DeterministicScheduler.Actor st = m.start("status", () -> m.dm.status(StatusType.INFO));
            DeterministicScheduler.Actor dd = m.start("checkpoint", () -> {
                m.dm.message("checkpoint");
                return null;
            });
            m.scheduler.runUntil(() -> st.finished() && dd.finished());
            List<String> trace = steps(m, "status", "checkpoint", "dm-era");
            EraMetadata.TornRead read = md.lastUnlockedNrFreeRead();
            ev.add("status: '" + st.result() + "', " + Machine.outcome(dd));
            if (read == null) {
                ev.add("nr_free was read inside the worker (metadata_get_stats RPC): no update could interleave");
                return new SideRun(false, "status racing a checkpoint", ev, trace);
            }
            ev.add("nr_free at the low-word load " + read.atLowLoad() + ", at the high-word load " + read.atHighLoad()
                    + ", composed " + read.composed() + (read.straddled()
                            ? " — the worker's checkpoint ran BETWEEN the two loads (high word 0 on both sides, so the"
                                    + " composed value is the first load's)" : ""));
            return new SideRun(read.straddled(), "status racing a checkpoint", ev, trace);
        }
    }
}
