package org.eratestbed.model.pdata.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Checksums and block numbers: a stamped block passes its validator; any flipped bit or a wrong location fails it. */
class ValidatorProperties {
    private static final ChecksummedValidator[] VALIDATORS = {
        new ChecksummedValidator("btree_node", BlockType.BTREE_NODE, 8),
        new ChecksummedValidator("array", BlockType.ARRAY_BLOCK, 16),
        new ChecksummedValidator("sm_bitmap", BlockType.SM_BITMAP, 8),
        new ChecksummedValidator("index", BlockType.SM_INDEX, 8),
        new ChecksummedValidator("superblock", BlockType.ERA_SUPERBLOCK, 8),
    };

    @Provide
    Arbitrary<byte[]> blocks() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4096);
    }

    private static Block stamped(byte[] data, long location, ChecksummedValidator v) {
        Block b = new Block(location, data.clone());
        v.prepareForWrite(b);
        return b;
    }

    @Property(tries = 200)
    void stampedBlockPasses(@ForAll("blocks") byte[] data, @ForAll @LongRange(min = 0, max = 4_161_599) long location,
                            @ForAll @IntRange(min = 0, max = 4) int which) {
        ChecksummedValidator v = VALIDATORS[which];
        Block b = stamped(data, location, v);
        v.check(b);
        assertEquals(location, b.le().getLong(which == 1 ? 16 : 8));
        assertEquals(Checksum.dmBmChecksum(b.data(), 4, 4092, v.type().salt()), b.le().getInt(0));
    }

    @Property(tries = 500)
    void anyFlippedBitIsDetected(@ForAll("blocks") byte[] data, @ForAll @LongRange(min = 0, max = 100_000) long location,
                                 @ForAll @IntRange(min = 0, max = 4096 * 8 - 1) int bit,
                                 @ForAll @IntRange(min = 0, max = 4) int which) {
        ChecksummedValidator v = VALIDATORS[which];
        Block b = stamped(data, location, v);
        b.data()[bit / 8] ^= (byte) (1 << (bit % 8));
        int blocknrOffset = which == 1 ? 16 : 8;
        boolean inBlocknr = bit / 8 >= blocknrOffset && bit / 8 < blocknrOffset + 8;
        MetadataException e = assertThrows(MetadataException.class, () -> v.check(b));
        assertEquals(inBlocknr ? Errno.ENOTBLK : Errno.EILSEQ, e.errno(), e.getMessage());
    }

    @Property(tries = 200)
    void wrongLocationIsEnotblk(@ForAll("blocks") byte[] data, @ForAll @LongRange(min = 0, max = 100_000) long location,
                                @ForAll @LongRange(min = 1, max = 100_000) long delta,
                                @ForAll @IntRange(min = 0, max = 4) int which) {
        ChecksummedValidator v = VALIDATORS[which];
        Block b = stamped(data, location, v);
        Block moved = new Block(location + delta, b.data());
        MetadataException e = assertThrows(MetadataException.class, () -> v.check(moved));
        assertEquals(Errno.ENOTBLK, e.errno());
    }

    @Property(tries = 100)
    void saltsAreNotInterchangeable(@ForAll("blocks") byte[] data, @ForAll @IntRange(min = 0, max = 4) int a,
                                    @ForAll @IntRange(min = 0, max = 4) int c) {
        // same blocknr offset, different salt: a block of one type never passes as another
        if (a == c || a == 1 || c == 1) {
            return;
        }
        Block b = stamped(data, 7, VALIDATORS[a]);
        MetadataException e = assertThrows(MetadataException.class, () -> VALIDATORS[c].check(b));
        assertEquals(Errno.EILSEQ, e.errno());
    }
}
