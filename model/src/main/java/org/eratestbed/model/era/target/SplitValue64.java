package org.eratestbed.model.era.target;

/**
 * A 64-bit value as a 32-bit kernel holds it: two plain 32-bit words, stored low word then high word and
 * loaded low then high, with nothing (no seqcount, as i_size_read/i_size_write use; no lock) tying the two
 * together. A reader that runs between the writer's two stores sees one new half and one old half: crossing
 * 2^32 from 0xFFFF_FFFF to 0x1_0000_0000 it can read 0 or 0x1_FFFF_FFFF, values that never existed.
 */
public final class SplitValue64 extends Value64 {
    private int low;
    private int high;

    public SplitValue64(long initial) {
        set(initial);
    }

    @Override
    public long get() {
        long l = low & 0xFFFF_FFFFL;
        long h = high;
        return (h << 32) | l;
    }

    @Override
    public void set(long value) {
        low = (int) value;
        high = (int) (value >>> 32);
    }
}
