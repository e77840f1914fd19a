package org.eratestbed.fault.kernelcrash;

import java.util.function.Supplier;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * A replay whose metadata device is a recording {@link SimDisk} (the model's own, or the one the NBD server
 * exports to the kernel's guest), watched so that its crash states can be checked afterwards.
 */
public final class RecordedRun {
    private RecordedRun() {
    }

    /** The replay's files and the crash check's input. */
    public record Recorded(Replayer.Outcome outcome, KernelCrashCheck.Input input) {
    }

    /**
     * @param metadataDisk the metadata device of the replay under way (asked after {@code start}, so a target
     *        that makes its disks per script works); it must keep an I/O log
     */
    public static Recorded replay(WorkloadScript script, TargetUnderTest target, byte[] initialMetadata,
            Supplier<SimDisk> metadataDisk) {
        WriteWatcher w = new WriteWatcher(target, () -> log(metadataDisk.get()).endTick());
        Replayer.Outcome o = Replayer.replay(script, w, initialMetadata);
        return new Recorded(o, input(script, w, metadataDisk.get()));
    }

    /** The crash check's input for the script {@code watcher} has just watched, on metadata device {@code md}. */
    public static KernelCrashCheck.Input input(WorkloadScript script, WriteWatcher watcher, SimDisk md) {
        return new KernelCrashCheck.Input(script.name(), script.target(), log(md), md.baseImage(), watcher.acks(),
                watcher.marks());
    }

    private static org.eratestbed.device.sim.IoLog log(SimDisk disk) {
        if (disk.log() == null) {
            throw new IllegalArgumentException(disk.name() + " keeps no I/O log: its crash states cannot be built");
        }
        return disk.log();
    }
}
