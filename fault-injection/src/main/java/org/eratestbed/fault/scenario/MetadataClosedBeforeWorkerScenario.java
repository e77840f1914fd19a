package org.eratestbed.fault.scenario;

import java.util.List;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.campaign.Campaign;
import org.eratestbed.fault.campaign.RunPlan;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;

/**
 * testbed-metadata-closed-before-worker, found by an upstream campaign with device faults (seed 1, run 597): the
 * campaign's own reproducer, replayed. Several archived eras wait for a digest; a metadata write fails during
 * the preresume of the {@code create} at the end, so the create fails and libdevmapper removes the device at
 * once. The worker, started by that preresume, still has a digest step queued: era_destroy closes the metadata,
 * then destroy_workqueue runs the step on it (a model exception here; a use-after-free in the kernel). The plan
 * (scheduler seed, two commands in flight, the metadata disk's seeded write errors) is what makes the remove
 * overtake the digest; it replays the same on every machine.
 */
final class MetadataClosedBeforeWorkerScenario extends UpstreamUnfixedScenario {
    static final WorkloadScript SCRIPT = WorkloadParser.parse("metadata-closed-before-worker", String.join("\n",
            "target block_size=8 origin_blocks=19 metadata_mib=4",
            "write 0 3", "write 0 1", "suspend", "resume", "write 3 1", "checkpoint", "write 4 1", "checkpoint",
            "write 5 1", "checkpoint", "checkpoint", "status", "status", "write 1 4", "write 1 4", "checkpoint",
            "flush", "write 3 3", "checkpoint", "remove", "create"));
    static final String FAULTS = "seed=-7752541789618599863; eio-write rate=0.02";
    static final RunPlan PLAN = new RunPlan(SCRIPT, 308289615852250623L, 2, -1)
            .withFaults(FaultPlan.parse(FAULTS), FaultPlan.NONE, false);

    @Override
    public Defect defect() {
        return Defect.METADATA_CLOSED_BEFORE_WORKER;
    }

    @Override
    public String oracleText() {
        return "no worker runs on metadata that era_destroy has closed (liveness: no model exception)";
    }

    @Override
    public String howModelled() {
        return "Replay the campaign's reproducer (scheduler seed 308289615852250623, two commands in flight, metadata"
                + " writes failing with probability 0.02 from seed -7752541789618599863): the create's preresume"
                + " fails after it started the worker, the device is removed, and the queued digest step runs"
                + " after the metadata was closed; every oracle is applied as the campaign applies it.";
    }

    @Override
    SideRun run(Side side) {
        Campaign.Reproduction r = Campaign.replay(PLAN, 16, Campaign.runSeed(1, 597), side.predicate());
        boolean failed = r.violation() != null && r.violation().oracle().equals(OracleIds.LIVENESS)
                && r.violation().message().contains("was destroyed");
        String what = r.violation() == null ? "no violation" : r.violation().oracle() + ": " + r.violation().message();
        return new SideRun(failed, failed ? "a digest step ran after era_destroy closed the metadata"
                : "the failed create and its remove, with the digest drained first", List.of(what), List.of());
    }
}
