package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.dm.StatusType;
import org.eratestbed.model.dm.Target;
import org.eratestbed.model.era.defect.Defect;

/**
 * testbed-message-before-preresume, seen on Debian's 6.1 kernel: a message reaches an era table that dm core
 * has made live but whose preresume has not run, and the worker rolls over onto writesets that only the
 * preresume's resize allocates. The kernel run held that state with a table of two era targets whose first
 * target's metadata device was suspended (so its preresume waited), and sent the message to the second; the
 * model constructs the table and sends the message to it with no preresume in between, which is the same
 * state for the target.
 */
final class MessageBeforePreresumeScenario extends UpstreamUnfixedScenario {
    @Override
    public Defect defect() {
        return Defect.MESSAGE_BEFORE_PRERESUME;
    }

    @Override
    public String oracleText() {
        return "a message to a table that is live but not yet resumed returns (an error such as -EBUSY is a return)"
                + " and brings no kernel BUG";
    }

    @Override
    public String howModelled() {
        return "Put era metadata in use on the metadata device (create a 16-block table, write block 3, remove:"
                + " nr_blocks 16 on disk), construct a new table on it (era_ctr), and send it dmsetup message"
                + " checkpoint before its preresume, as dm core delivers a message between dm_swap_table and"
                + " dm_resume. Upstream: the ctr left the worker running, the checkpoint's rollover memsets"
                + " in-core writeset bits that preresume's metadata_resize has not allocated (the kernel's NULL"
                + " pointer dereference in metadata_era_rollover; the message never returns). Hardened: the ctr"
                + " marks the worker suspended, the message returns -EBUSY, and the table then resumes and"
                + " reports its status.";
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            ev.add("dmsetup " + m.create(Machine.table(16)));
            ev.add(m.write(3).toString());
            ev.add("dmsetup " + m.remove() + " (nr_blocks 16 stays on disk)");
            Machine.Outcome ctr = m.construct(Machine.table(16));
            ev.add("era_ctr of the new table: " + ctr);
            if (!ctr.ok()) {
                return new SideRun(true, "the new table could not be constructed", ev, List.of());
            }
            Target t = (Target) ctr.value();
            Machine.Outcome message = m.runVoid("message checkpoint", () -> t.message(new String[] {"checkpoint"}));
            ev.add("dmsetup " + message + " (before preresume)");
            boolean violated = !message.finished() || message.oops() != null;
            if (m.scheduler.failure() != null) {
                // The kernel's oops kills the kworker; the message waits for an RPC completion that never comes.
                violated = true;
                ev.add(m.scheduler.failedActor() + " died: " + m.scheduler.failure().getMessage());
            }
            if (!violated) {
                ev.add("preresume then " + m.runVoid("preresume", t::preresume) + "; status: "
                        + m.run("status", () -> t.status(StatusType.INFO)));
            }
            return new SideRun(violated, "a checkpoint message to the new table before its preresume", ev,
                    steps(m, "message checkpoint", "dm-era"));
        }
    }
}
