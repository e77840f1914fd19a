package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eratestbed.device.sim.CrashSelection;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.IoLog;
import org.eratestbed.device.sim.IoRecord;
import org.eratestbed.device.sim.PageImage;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.CrashStateSource;
import org.eratestbed.model.dm.DeviceRegistry;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;

/**
 * testbed-format-unordered-commit, found by the crash campaign: the first format's superblock goes out in
 * the same unordered batch as the space map it points at. The scenario formats once (the constructor of
 * the first table load), then crashes at every point of the format's metadata I/O — before each request
 * is submitted and after each completes — and checks every crash state: one whose superblock is still all
 * zeroes is simply formatted again; any other must be consistent.
 */
final class FormatUnorderedCommitScenario extends UpstreamUnfixedScenario {
    @Override
    public Defect defect() {
        return Defect.FORMAT_UNORDERED_COMMIT;
    }

    @Override
    public String oracleText() {
        return "every crash state of the metadata device during the first format is either unformatted (block 0"
                + " all zeroes) or passes check";
    }

    @Override
    public String howModelled() {
        return "Load a table on a zeroed metadata disk (the constructor formats), with every metadata request"
                + " logged; rebuild the crash space at every tick of that log (4 KiB atomic writes) and check"
                + " each state with the independent reader.";
    }

    @Override
    SideRun run(Side side) {
        SimDisk metadata = SimDisk.builder(4 << 11).name("metadata").build();
        SimDisk origin = SimDisk.builder(16 * 8).name("origin").build();
        DeterministicScheduler sched = new DeterministicScheduler(new ScriptedPolicy(List.of()));
        DeviceRegistry devices = new DeviceRegistry();
        devices.add("/dev/nbd0", "43:0", metadata);
        devices.add("/dev/nbd1", "43:32", origin);
        MappedDevice era = new MappedDevice("era0", "253:0", sched, devices, new KernelLog(),
                Map.of("era", new EraTargetType(sched, side.predicate(), IoWait.LATCH, new Vmalloc())));
        DeterministicScheduler.Actor load = sched.call("dmsetup load", () -> {
            era.load("0 128 era /dev/nbd0 /dev/nbd1 8");
            return null;
        });
        sched.crash();
        List<String> ev = new ArrayList<>();
        if (load.failure() != null) {
            return SideRun.crashed(load.failure());
        }
        IoLog log = metadata.log();
        ev.add("format I/O: " + log.records().stream().map(IoRecord::toString).map(s -> s.replaceAll("\\s+", " "))
                .reduce((a, b) -> a + "; " + b).orElse("none"));
        int states = 0;
        for (long tick = 0; tick <= log.endTick(); tick++) {
            CrashSpace space = CrashSpace.fromLog(log.before(tick), new PageImage(metadata.sizeSectors()), 8);
            CrashSelection sel = space.select(tick, 256);
            for (CrashState s : sel) {
                states++;
                CrashStateSource source = new CrashStateSource(s);
                if (source.isZero(0)) {
                    continue;
                }
                CheckReport r = EraCheck.check(source);
                if (!r.ok()) {
                    ev.add("crash at tick " + tick + ", " + s.describe() + ": check: "
                            + String.join("; ", r.lines().subList(0, Math.min(2, r.lines().size()))));
                    ev.add(states + " states checked up to the first bad one");
                    return new SideRun(true, "crash during the first format, at tick " + tick, ev, List.of());
                }
            }
        }
        ev.add(states + " crash states over " + (log.endTick() + 1) + " crash points: every one unformatted or consistent");
        return new SideRun(false, "crash at every point of the first format", ev, List.of());
    }
}
