package org.eratestbed.model.era.target;

import org.eratestbed.model.kernel.Scheduler;

/**
 * A 64-bit value as a 32-bit kernel holds it: two plain 32-bit words, stored low word then high word and
 * loaded low then high, with nothing (no seqcount, as i_size_read/i_size_write use; no lock) tying the two
 * together. A reader that runs between the writer's two stores sees one new half and one old half: crossing
 * 2^32 from 0xFFFF_FFFF to 0x1_0000_0000 it can read 0 or 0x1_FFFF_FFFF, values that never existed.
 */
public final class SplitValue64 extends Value64 {
    private int low;
    private int high;
    /** Where a CPU could be preempted between the two word accesses; null for real threads only. */
    private final Scheduler scheduler;
    private final String name;

    public SplitValue64(long initial) {
        this(initial, null, null);
    }

    /**
     * A split value whose two word accesses are separate steps of the deterministic scheduler: a yield point
     * sits between the low and the high store, and between the low and the high load, so a scripted
     * interleaving can put another actor's access in between, as a 32-bit CPU can.
     */
    public SplitValue64(long initial, Scheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
        low = (int) initial;
        high = (int) (initial >>> 32);
    }

    @Override
    public long get() {
        long l = low & 0xFFFF_FFFFL;
        between("low half loaded");
        long h = high;
        return (h << 32) | l;
    }

    @Override
    public void set(long value) {
        low = (int) value;
        between("low half stored");
        high = (int) (value >>> 32);
    }

    private void between(String what) {
        if (scheduler != null) {
            scheduler.yieldPoint(name + ": " + what);
        }
    }
}
