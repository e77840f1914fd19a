package org.eratestbed.fault.model;

import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.kernel.EventSource;

/** A queued-mode {@link SimDisk}'s pending completions, as events the deterministic scheduler may fire. */
public final class SimDiskEvents implements EventSource {
    private final SimDisk disk;

    public SimDiskEvents(SimDisk disk) {
        this.disk = disk;
    }

    @Override
    public String name() {
        return disk.name();
    }

    @Override
    public int pendingEvents() {
        return disk.pending().size();
    }

    @Override
    public String describeEvent(int index) {
        return "complete " + disk.pending().get(index);
    }

    @Override
    public void fireEvent(int index) {
        disk.complete(index);
    }
}
