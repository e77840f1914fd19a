package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.kernel.ScriptedPolicy;

/**
 * testbed-commit-after-failed-write, found by a campaign with device faults and then seen on the real kernel
 * (fault-injection/src/test/resources/kernel-findings/commit-after-failed-write). Metadata block 16 (sectors
 * 128-135) cannot be written. The write that needs a commit gets EIO; the status after it runs a commit
 * with nothing dirty, which writes a superblock pointing at the never-written block. The power is then cut:
 * the metadata device must still hold a consistent commit.
 */
final class CommitAfterFailedWriteScenario extends UpstreamUnfixedScenario {
    static final String FAULTS = "seed=1; eio-write sectors=128..136";
    static final WorkloadScript SCRIPT = WorkloadParser.parse("commit-after-failed-write", String.join("\n",
            "target block_size=8 origin_blocks=16 metadata_mib=4",
            "write 0 1", "write 0 1", "write 1 1", "flush", "status", "checkpoint", "status",
            "remove", "create", "status", "write 2 1", "status", "crash"));

    @Override
    public Defect defect() {
        return Defect.COMMIT_AFTER_FAILED_WRITE;
    }

    @Override
    public String oracleText() {
        return "after metadata writes failed and the power is cut, the metadata device passes check";
    }

    @Override
    public String howModelled() {
        return "Replay a script on the model over simulated disks whose metadata sectors 128-135 fail every write ("
                + FAULTS + "); the write that needs block 16 gets EIO, a status commits after it, then a crash;"
                + " the metadata image is checked with the independent reader.";
    }

    @Override
    SideRun run(Side side) {
        Replayer.Outcome o;
        try (ModelTarget target = new ModelTarget(side.predicate(), new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE).faults(FaultPlan.parse(FAULTS), FaultPlan.NONE)) {
            o = Replayer.replay(SCRIPT, target, null);
        }
        List<String> ev = new ArrayList<>();
        ev.add("status.txt: " + String.join(" | ", o.status()));
        CheckReport r = EraCheck.check(new ByteArrayBlockSource(o.metadataImage()));
        if (!r.ok()) {
            ev.add("check of the metadata after the crash: "
                    + String.join("; ", r.lines().subList(0, Math.min(3, r.lines().size()))));
            return new SideRun(true, "a status commits after the failed write of metadata block 16, then a crash", ev,
                    List.of());
        }
        ev.add("check of the metadata after the crash: " + r.summary());
        return new SideRun(false, "the failed write, later commands, then a crash", ev, List.of());
    }
}
