package org.eratestbed.stress.rig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;

/**
 * The origin device as the tests watch it: each write is in flight for a device service time, then reaches
 * the medium; at that moment the probe notes what a user's promise is judged against — the target's current
 * era (oracle 2: a write whose data lands after the change to era E+1 must be listed as written since E+1)
 * and how many metadata commits were durable (oracle 1 after a crash: a write must not land before its mark
 * is durable). The note is taken before the write's completion runs, so before the target's end_io.
 */
public final class LandingProbe implements BlockDevice {
    /** What the world looked like when one write's data reached the origin. */
    public record Landing(long sector, int eraAtLanding, long durableCommitsAtLanding, boolean ok) {
    }

    private final BlockDevice disk;
    private final long latencyNanos;
    private volatile IntSupplier currentEra = () -> -1;
    private volatile LongSupplier durableCommits = () -> -1;
    private final List<Landing> landings = new ArrayList<>();

    LandingProbe(BlockDevice disk, long latencyNanos) {
        this.disk = disk;
        this.latencyNanos = latencyNanos;
    }

    void watch(IntSupplier era, LongSupplier commits) {
        this.currentEra = era;
        this.durableCommits = commits;
    }

    /** Every write that has landed so far, in landing order. */
    public synchronized List<Landing> landings() {
        return List.copyOf(landings);
    }

    /** Forget the landings so far (the rig's own set-up writes). */
    synchronized void reset() {
        landings.clear();
    }

    @Override
    public long sizeSectors() {
        return disk.sizeSectors();
    }

    @Override
    public String name() {
        return disk.name();
    }

    @Override
    public void submit(Bio bio) {
        if (bio.op() != BioOp.WRITE) {
            disk.submit(bio);
            return;
        }
        Latency.spin(latencyNanos);
        disk.submit(Bio.write(bio.sector(), bio.data(), bio.fua(), bio.preflush(), done -> {
            Landing l = new Landing(bio.sector(), currentEra.getAsInt(), durableCommits.getAsLong(), done.status().ok());
            synchronized (this) {
                landings.add(l);
            }
            bio.complete(done.status());
        }));
    }
}
