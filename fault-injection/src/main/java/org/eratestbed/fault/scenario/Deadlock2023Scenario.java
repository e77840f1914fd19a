package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.kernel.DeterministicScheduler;

/**
 * deadlock-2023 (reference section 5, scenario 9): a status on a suspended era device blocks in perform_rpc
 * while holding the table's SRCU read lock; the resume that swaps in a new table waits for that reader forever.
 */
final class Deadlock2023Scenario extends UpstreamUnfixedScenario {
    @Override
    public Defect defect() {
        return Defect.DEADLOCK_2023;
    }

    @Override
    public String oracleText() {
        return "every command returns: status and message on a suspended device, and the resume that swaps tables,"
                + " all finish (an error such as -EBUSY is a return)";
    }

    @Override
    public String howModelled() {
        return "suspend; load a new era table (inactive); dmsetup status and dmsetup message checkpoint (actors) —"
                + " upstream queues their RPCs for a stopped worker and they wait inside the io_barrier read section"
                + " (the reviewed status read the space map directly (M13) and did not block, the message did);"
                + " dmsetup resume (an actor) swaps the"
                + " table and waits in synchronize_srcu for that reader. The deterministic scheduler finds nothing"
                + " left to run: both are blocked (quiescence = deadlock). Hardened refuses the RPC with -EBUSY.";
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
            DeterministicScheduler.Actor message = m.command("checkpoint", () -> m.dm.message("checkpoint"));
            DeterministicScheduler.Actor resume = m.command("resume", m.dm::resume);
            List<DeterministicScheduler.Actor> commands = List.of(status, message, resume);
            DeterministicScheduler.Outcome end = m.scheduler.runUntil(
                    () -> commands.stream().allMatch(DeterministicScheduler.Actor::finished));
            ev.add("scheduler: " + end + (end == DeterministicScheduler.Outcome.QUIESCENT
                    ? " (nothing can run, commands still waiting: deadlock)" : ""));
            boolean hung = false;
            for (DeterministicScheduler.Actor a : commands) {
                ev.add(a.name() + ": " + (a.finished() ? Machine.outcome(a) : "BLOCKED at '" + a.at() + "'"));
                hung |= !a.finished();
            }
            return new SideRun(hung, "status and message issued while suspended with a new table loaded, then resume", ev,
                    steps(m, "status", "checkpoint", "resume", "dm-era"));
        }
    }
}
