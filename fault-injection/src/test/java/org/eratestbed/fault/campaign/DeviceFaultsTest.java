package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Set;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;

/** What each kind of device fault may excuse, and the silent-loss rule for honest errors. */
class DeviceFaultsTest {
    private static final WorkloadScript SCRIPT = WorkloadParser.parse("w", String.join("\n",
            "target block_size=8 origin_blocks=8 metadata_mib=4", "write 0 2", "flush", "checkpoint", "write 1 1"));
    private static final Oracles.Violation LOST = new Oracles.Violation(OracleIds.TRACKING, "block 1 lost", "state 1");

    /** Runs to compare with that violate nothing. */
    private static final DeviceFaults.Counterfactuals NONE = new DeviceFaults.Counterfactuals(Set::of, null);

    private static RunExecutor.Outcome run(RunPlan plan) {
        return RunExecutor.execute(Variant.UPSTREAM::has, plan, RunGenerator.MAX_STEPS);
    }

    @Test
    void anHonestErrorThatReachedNoUserTurnsALossIntoASilentLoss() {
        // The power fails during the format, after a metadata write failed and before create could say so.
        RunExecutor.Outcome o = run(new RunPlan(SCRIPT, 1, 1, 5).withFaults(FaultPlan.parse("seed=1; eio-write op=2"),
                FaultPlan.NONE, false));
        assertFalse(o.model().metadataDisk().faultEvents().isEmpty(), "the fault fired");
        assertTrue(o.surfaced().isEmpty(), "nothing reached the user: " + o.surfaced());
        DeviceFaults.Verdict v = DeviceFaults.judge(o, null, LOST, NONE);
        assertFalse(v.isDeviceFault());
        assertEquals(DeviceFaults.ERRORS_SURFACE, v.violation().oracle());
        assertTrue(v.violation().message().startsWith("silent loss: eio-write"), v.violation().message());
        // The same loss on honest disks is not the fault's doing: it stands under its own oracle.
        DeviceFaults.Verdict also = DeviceFaults.judge(o, null, LOST, new DeviceFaults.Counterfactuals(() -> Set.of(OracleIds.TRACKING), null));
        assertEquals(LOST, also.violation());
        assertNull(also.deviceCause());
    }

    @Test
    void anHonestErrorThatReachedTheUserExcusesWhatFollows() {
        RunExecutor.Outcome o = run(new RunPlan(SCRIPT, 1, 1, -1).withFaults(FaultPlan.parse("seed=1; eio-write rate=1"),
                FaultPlan.NONE, false));
        assertFalse(o.surfaced().isEmpty(), "create or a write failed visibly");
        DeviceFaults.Verdict v = DeviceFaults.judge(o, null, LOST, NONE);
        assertTrue(v.isDeviceFault());
        assertTrue(v.deviceCause().contains("surfaced to the user"), v.deviceCause());
    }

    @Test
    void aLieOnTheOriginExcusesLinearDataButNotALostTrackedWrite() {
        RunExecutor.Outcome o = run(new RunPlan(SCRIPT, 1, 1, -1).withFaults(FaultPlan.NONE,
                FaultPlan.parse("seed=1; drop rate=1"), false));
        Oracles.Violation stale = new Oracles.Violation(OracleIds.LINEAR_DATA, "block 0 holds zeroes", "end");
        assertTrue(DeviceFaults.judge(o, null, stale, NONE).deviceCause().startsWith("device lie on the origin"));
        assertFalse(DeviceFaults.judge(o, null, LOST, NONE).isDeviceFault());
        Oracles.Violation hang = new Oracles.Violation(OracleIds.LIVENESS, "write blocked", "before the crash");
        assertFalse(DeviceFaults.judge(o, null, hang, NONE).isDeviceFault(), "a hang is never excused");
    }

    @Test
    void onlyAStateThatTearsTheSuperblockWriteIsExcusedForTornMetadata() {
        SimDisk d = SimDisk.builder(64).build();
        SyncIo io = new SyncIo(d);
        io.write(8, new byte[4096]); // a shadow block, then the superblock, neither flushed
        io.write(0, new byte[4096]);
        CrashSpace torn = d.crash(1);
        assertEquals(16, torn.units());
        assertFalse(DeviceFaults.superblockTorn(torn.allKept()));
        assertFalse(DeviceFaults.superblockTorn(torn.noneKept()));
        assertFalse(DeviceFaults.superblockTorn(torn.state(BigInteger.valueOf(0x00f0))), "shadow block torn only");
        assertTrue(DeviceFaults.superblockTorn(torn.state(BigInteger.valueOf(0x0f00))), "half the superblock kept");
        assertFalse(DeviceFaults.superblockTorn(d.crash(8).state(BigInteger.ONE)), "4 KiB-atomic states never tear");
    }

    /**
     * The kernel finding's script (kernel-findings/commit-after-failed-write): a metadata write fails, the
     * write that needed it gets EIO (the user is told), and a later commit writes a superblock over blocks the
     * device never got. That the user saw an error does not excuse it: the same plan with the fail mode keeps
     * the metadata whole, so on upstream the violation stands for triage, and hardened (which has the fail
     * mode) has nothing to excuse.
     */
    @Test
    void anErrorTheUserSawDoesNotExcuseWhatAFailModeWouldHaveKept() {
        WorkloadScript script = WorkloadParser.parse("commit-after-failed-write", String.join("\n",
                "target block_size=8 origin_blocks=16 metadata_mib=4", "write 0 1", "write 0 1", "write 1 1", "flush",
                "status", "checkpoint", "status", "remove", "create", "status", "write 2 1", "status"));
        RunPlan plan = new RunPlan(script, 1, 1, -1).withFaults(FaultPlan.parse("seed=1; eio-write sectors=128..136"),
                FaultPlan.NONE, false);
        RunExecutor.Outcome upstream = run(plan);
        assertFalse(upstream.surfaced().isEmpty(), "the failed write reached the user");
        Oracles.Checked up = Oracles.check(Variant.UPSTREAM::has, upstream, 1, 16);
        assertFalse(up.violations().isEmpty(), "upstream's later commit broke the metadata: " + up.expected());
        assertTrue(up.expected().isEmpty(), "not excused as a device fault: " + up.expected());

        RunExecutor.Outcome hardened = RunExecutor.execute(Variant.HARDENED::has, plan, RunGenerator.MAX_STEPS);
        Oracles.Checked fixed = Oracles.check(Variant.HARDENED::has, hardened, 1, 16);
        assertTrue(fixed.violations().isEmpty(), "hardened refuses the commit: " + fixed.violations());
    }
}
