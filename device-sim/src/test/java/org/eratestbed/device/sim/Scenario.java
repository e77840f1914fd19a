package org.eratestbed.device.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.fault.FaultPlan;

/**
 * A random run against a small queued disk, drawn from a seed: writes (some FUA, some PREFLUSH), flushes,
 * discards and reads, completed in a seeded random order, some left in flight at the end. Every write's
 * data is unique to the write, so a sector's content tells which write put it there.
 */
final class Scenario {
    static final long SIZE = 64;

    final SimDisk disk;

    private Scenario(SimDisk disk) {
        this.disk = disk;
    }

    static Scenario run(long seed, int ops, FaultPlan plan) {
        return run(seed, ops, plan, Integer.MAX_VALUE);
    }

    /** Runs the first {@code stopAfterEvents} submit/complete events of the run drawn from {@code seed}. */
    static Scenario run(long seed, int ops, FaultPlan plan, int stopAfterEvents) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Scenario sc = new Scenario(SimDisk.builder(SIZE).queued().faults(plan).name("scenario").build());
        int events = 0;
        for (int i = 0; i < ops && events < stopAfterEvents; i++) {
            Bio bio = randomBio(rnd, i);
            sc.disk.submit(bio);
            events++;
            int completions = rnd.nextInt(3);
            for (int c = 0; c < completions && events < stopAfterEvents && !sc.disk.pending().isEmpty(); c++) {
                sc.disk.completeRandom(rnd);
                events++;
            }
        }
        return sc;
    }

    static Bio randomBio(SplittableRandom rnd, int i) {
        int kind = rnd.nextInt(100);
        if (kind < 15) {
            return Bio.flush(null);
        }
        if (kind < 20) {
            int len = 1 + rnd.nextInt(16);
            return Bio.discard(rnd.nextLong(SIZE - len + 1), len, null);
        }
        int len = 1 + rnd.nextInt(8);
        long sector = rnd.nextLong(SIZE - len + 1);
        if (kind < 30) {
            return Bio.read(sector, new byte[len * BlockDevice.SECTOR_SIZE], null);
        }
        return Bio.write(sector, pattern(i, len), rnd.nextInt(5) == 0, rnd.nextInt(10) == 0, null);
    }

    /** Data unique to write {@code i}: no byte is zero, and no two writes share a sector's content. */
    static byte[] pattern(int i, int sectors) {
        byte[] b = new byte[sectors * BlockDevice.SECTOR_SIZE];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (1 + ((i * 131 + k * 7 + (k >> 9) * 17) % 251));
        }
        b[0] = (byte) (i + 1);
        b[1] = (byte) ((i >> 8) + 1);
        return b;
    }

    /** The writes (WRITE and DISCARD) among the submitted requests. */
    List<IoRecord> writes() {
        List<IoRecord> out = new ArrayList<>();
        for (IoRecord r : disk.log().records()) {
            if (r.isWrite()) {
                out.add(r);
            }
        }
        return out;
    }
}
