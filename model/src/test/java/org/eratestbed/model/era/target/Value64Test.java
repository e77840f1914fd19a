package org.eratestbed.model.era.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.Test;

class Value64Test {
    private static final long[] VALUES = {0, 1, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_FFFF_FFFFL, -1L, Long.MIN_VALUE,
        Long.MAX_VALUE, 0x8000_0000L, 0x7FFF_FFFF_8000_0000L};

    @Test
    void bothFormsHoldEvery64BitValue() {
        for (long v : VALUES) {
            assertEquals(v, new SplitValue64(v).get());
            assertEquals(v, new AtomicValue64(v).get());
            Value64 s = new SplitValue64(0);
            s.set(v);
            assertEquals(v, s.get(), Long.toHexString(v));
        }
    }

    @Test
    void singleWriterIncrementCarriesIntoTheHighHalf() {
        Value64 s = new SplitValue64(0xFFFF_FFFFL);
        s.add(1);
        assertEquals(0x1_0000_0000L, s.get());
        s.add(-1);
        assertEquals(0xFFFF_FFFFL, s.get());
    }

    @Test
    void theDefectSelectsTheSplitForm() {
        assertInstanceOf(SplitValue64.class, Value64.forDefect(Variant.AS_REVIEWED::has, Defect.M13_NR_FREE_TORN_READ, 7));
        assertInstanceOf(SplitValue64.class, Value64.forDefect(Variant.AS_REVIEWED::has, Defect.M6_ERA_32_64_BIT_MIX, 7));
        assertInstanceOf(AtomicValue64.class, Value64.forDefect(Variant.UPSTREAM::has, Defect.M13_NR_FREE_TORN_READ, 7));
        assertEquals(7, Value64.forDefect(Variant.HARDENED::has, Defect.M6_ERA_32_64_BIT_MIX, 7).get());
    }
}
