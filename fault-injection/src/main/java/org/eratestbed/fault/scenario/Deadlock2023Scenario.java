package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * deadlock-2023 (reference section 5, scenario 9): a status on a suspended era device blocks in perform_rpc
 * while holding the table's SRCU read lock; the resume that swaps in a new table waits for that reader forever.
 */
final class Deadlock2023Scenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.DEADLOCK_2023;
    }

    @Override
    public String oracleText() {
        return "every command returns: status on a suspended device and the resume that swaps tables both finish";
    }

    @Override
    public String howModelled() {
        return "suspend; load a new era table (inactive); dmsetup status (an actor) — upstream queues its RPC for a"
                + " stopped worker and waits inside the io_barrier read section; dmsetup resume (an actor) swaps the"
                + " table and waits in synchronize_srcu for that reader. The deterministic scheduler finds nothing"
                + " left to run: both are blocked (quiescence = deadlock). Hardened refuses the RPC with -EBUSY.";
    }

    @Override
    Side buggySide() {
        return Side.of(Variant.UPSTREAM);
    }

    @Override
    Side fixedSide() {
        return Side.of(Variant.HARDENED);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.settle();
            ev.add(m.suspend().toString());
            ev.add("dmsetup " + m.load(Machine.table(16)) + " (new table, inactive)");
            DeterministicScheduler.Actor status = m.start("status", () -> m.dm.status(StatusType.INFO));
            DeterministicScheduler.Actor resume = m.start("resume", () -> {
                m.dm.resume();
                return null;
            });
            DeterministicScheduler.Outcome end = m.scheduler.runUntil(() -> status.finished() && resume.finished());
            ev.add("scheduler: " + end);
            ev.add("status: " + (status.finished() ? Machine.outcome(status) : "BLOCKED at '" + status.at() + "'"));
            ev.add("resume: " + (resume.finished() ? Machine.outcome(resume) : "BLOCKED at '" + resume.at() + "'"));
            boolean hung = !status.finished() || !resume.finished();
            return new SideRun(hung, "status issued while suspended with a new table loaded, then resume", ev,
                    steps(m, "status", "resume", "dm-era"));
        }
    }
}
