package org.eratestbed.stress.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.era.metadata.InCoreBits;
import org.eratestbed.model.era.target.EraTargetType;
import org.eratestbed.stress.rig.MetadataRig;

/**
 * The 32-bit arithmetic at the edges of what dm-era accepts, checked against the kernel's own C arithmetic
 * written out here ({@link #kernelBitsetSize}: {@code bitset_size(unsigned int nr_bits)} =
 * {@code sizeof(long) * dm_div_up(nr_bits, BITS_PER_LONG)}, where {@code dm_div_up(n, sz)} is
 * {@code ((n) + (sz) - 1) / (sz)} on an unsigned int, so {@code n + 63} wraps at 2^32; dm_bitset_resize's
 * {@code dm_div_up(new_nr_entries, 64)} on a uint32_t is the same expression).
 *
 * <p>What they show: below the block-count cap (n &lt; 2^31, valid_nr_blocks, review point M11: test_bit takes a
 * signed int) the kernel's 32-bit sizes are exact and every block's bit index is non-negative, in the model as
 * in the kernel; just above 2^32 − 64 the size wraps to nothing (review point M12, live only in as-reviewed,
 * which also lifts the cap). The catalogue has no separate upstream commit for the bitset-size overflow: M12's
 * overflow is unreachable upstream because of M11's cap, which is what these properties pin down.
 */
class CounterBoundaryProperties {
    private static final long CAP = 1L << 31;
    private static final long U32 = 1L << 32;

    /** The kernel's bitset_size on an unsigned int: 8 * ((n + 63) mod 2^32 / 64) bytes. */
    static long kernelBitsetSize(long nrBits) {
        long n = nrBits & 0xFFFF_FFFFL;
        return Long.BYTES * (((n + 63) & 0xFFFF_FFFFL) / 64);
    }

    @Provide
    Arbitrary<Long> nearTheCap() {
        return Arbitraries.oneOf(Arbitraries.longs().between(CAP - 4096, CAP + 4096),
                Arbitraries.of(0L, 1L, 63L, 64L, 65L, CAP - 65, CAP - 64, CAP - 63, CAP - 1, CAP, CAP + 1));
    }

    @Provide
    Arbitrary<Long> belowTheCap() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, CAP - 1),
                Arbitraries.longs().between(CAP - 200, CAP - 1), Arbitraries.of(0L, 1L, 63L, 64L, 65L));
    }

    @Provide
    Arbitrary<Long> wrappingSizes() {
        return Arbitraries.longs().between(U32 - 63, U32 - 1);
    }

    @Property(tries = 300)
    void theCapAcceptsExactlyTheBlockCountsBelow2To31(@ForAll("nearTheCap") long n) {
        assertEquals(n <= CAP - 1, EraTargetType.validNrBlocks(n), "valid_nr_blocks(" + n + ")");
    }

    @Property(tries = 300)
    void belowTheCapTheKernelsBitsetSizeIsExact(@ForAll("belowTheCap") long n) {
        long exact = Long.BYTES * ((n + 63) / 64);
        assertEquals(exact, kernelBitsetSize(n));
        assertEquals(exact, InCoreBits.bitsetSize(n), "the model's fixed bitset_size");
        assertEquals(exact, InCoreBits.bitsetSizeUnchecked32(n), "M12's 32-bit form agrees below the cap");
        assertTrue(exact * 8 >= n, "room for every bit");
    }

    @Property(tries = 63)
    void justBelow2To32TheKernelsBitsetSizeWrapsToNothing(@ForAll("wrappingSizes") long n) {
        assertEquals(0, kernelBitsetSize(n), "n + 63 wraps past 2^32");
        assertEquals(kernelBitsetSize(n), InCoreBits.bitsetSizeUnchecked32(n), "the model's M12 path wraps the same");
        assertTrue(InCoreBits.bitsetSize(n) >= n / 8, "the fixed path does not wrap");
        assertFalse(EraTargetType.validNrBlocks(n), "and the cap keeps such sizes out");
    }

    @Property(tries = 100)
    void everyBlockBelowTheCapHasABitInsideItsBitset(@ForAll("belowTheCap") long nrBlocks) {
        if (nrBlocks == 0) {
            return;
        }
        InCoreBits bits = new InCoreBits(InCoreBits.bitsetSize(nrBlocks));
        long last = nrBlocks - 1;
        assertTrue((int) last >= 0, "test_bit's signed int index of the last block is non-negative");
        assertFalse(bits.test(last));
        bits.set(last);
        assertTrue(bits.test(last));
        long firstPastAllocation = (nrBlocks + 63) / 64 * 64;
        assertThrows(InCoreBits.OutOfBoundsAccess.class, () -> bits.test(firstPastAllocation));
    }

    @Property(tries = 50)
    void withTheSignedIndexLiveABlockAtOrAbove2To31IndexesBeforeTheBitmap(
            @ForAll("aboveTheCap") long block) {
        EraMetadata upstream = UPSTREAM.md();
        EraMetadata asReviewed = AS_REVIEWED.md();
        assertEquals(block, upstream.bitIndex(block), "upstream indexes with the whole block number");
        assertTrue(asReviewed.bitIndex(block) < 0, "as reviewed, test_bit's int index is negative");
        assertFalse(upstream.validNrBlocks(block + 1), "upstream refuses such a device");
        assertTrue(asReviewed.validNrBlocks(block + 1), "as reviewed (no cap), it is accepted up to 2^32 - 1");
    }

    @Provide
    Arbitrary<Long> aboveTheCap() {
        return Arbitraries.oneOf(Arbitraries.longs().between(CAP, U32 - 2), Arbitraries.of(CAP, CAP + 1, U32 - 2));
    }

    @Property(tries = 100)
    void belowTheCapBothVariantsIndexTheBlockItself(@ForAll("belowTheCap") long block) {
        assertEquals(block, UPSTREAM.md().bitIndex(block));
        assertEquals(block, AS_REVIEWED.md().bitIndex(block));
    }

    /** One formatted metadata object per variant, shared: bitIndex and validNrBlocks read only the variant. */
    private static final MetadataRig UPSTREAM = new MetadataRig(Variant.UPSTREAM);
    private static final MetadataRig AS_REVIEWED = new MetadataRig(Variant.AS_REVIEWED);
}
