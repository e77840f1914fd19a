package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.model.OriginStamp;
import org.eratestbed.fault.model.UserIo;
import org.eratestbed.fault.model.UserIo.Op;
import org.eratestbed.fault.model.UserIo.Phase;
import org.junit.jupiter.api.Test;

/** What each origin block may hold, from the user's requests alone, and the sector-by-sector check. */
class LinearDataTest {
    private static final int BS = 2; // sectors per era block
    private final List<UserIo> io = new ArrayList<>();

    private LinearDataTest submit(Op op, long seq, long block) {
        io.add(new UserIo(op, Phase.SUBMIT, seq, block, op == Op.FLUSH ? 0 : 1, false));
        return this;
    }

    private LinearDataTest complete(Op op, long seq, long block, boolean ok) {
        io.add(new UserIo(op, Phase.COMPLETE, seq, block, op == Op.FLUSH ? 0 : 1, ok));
        return this;
    }

    private LinearDataTest write(long seq, long block) {
        return submit(Op.WRITE, seq, block).complete(Op.WRITE, seq, block, true);
    }

    private LinearDataTest flush(long seq) {
        return submit(Op.FLUSH, seq, 0).complete(Op.FLUSH, seq, 0, true);
    }

    private LinearData end() {
        return new LinearData(io, LinearData.Mode.END, BS);
    }

    private LinearData crash() {
        return new LinearData(io, LinearData.Mode.CRASH, BS);
    }

    /** Block 0's content: sector k from write seqs[k] (0: zeroes). */
    private static byte[] block0(long... seqs) {
        byte[] b = new byte[BS * 512];
        for (int k = 0; k < seqs.length; k++) {
            if (seqs[k] != 0) {
                System.arraycopy(OriginStamp.data(0, seqs[k], 1, BS), k * 512, b, k * 512, 512);
            }
        }
        return b;
    }

    @Test
    void afterAnOverwriteCompletesOnlyTheNewDataMayBeRead() {
        write(1, 0).write(2, 0);
        assertArrayEquals(new long[] {2L}, end().allowed(0).writes());
        assertFalse(end().allowed(0).zero());
        assertNull(end().check(block0(2, 2), 1));
        String bad = end().check(block0(1, 1), 1);
        assertEquals("origin block 0 sector 0 holds write #1 (block 0 sector 0, issued in era 1), but it may only "
                + "hold write #2 (write #2 to it completed)", bad);
    }

    @Test
    void racingWritesMayLandInEitherOrder() {
        submit(Op.WRITE, 1, 0).submit(Op.WRITE, 2, 0).complete(Op.WRITE, 2, 0, true).complete(Op.WRITE, 1, 0, true);
        assertArrayEquals(new long[] {1L, 2L}, end().allowed(0).writes());
        assertNull(end().check(block0(1, 1), 1));
        assertNull(end().check(block0(2, 2), 1));
    }

    @Test
    void afterACrashOnlyFlushedWritesArePromisedAndBlocksMayTear() {
        write(1, 0).flush(1).write(2, 0);
        LinearData c = crash();
        assertArrayEquals(new long[] {1L, 2L}, c.allowed(0).writes());
        assertFalse(c.allowed(0).zero(), "write 1 was flushed");
        assertNull(c.check(block0(1, 2), 1), "torn between the flushed write and the later one");
        assertNotNull(c.check(block0(0, 2), 1), "zeroes under a flushed write");
        flush(2);
        LinearData after = crash();
        assertArrayEquals(new long[] {2L}, after.allowed(0).writes());
        String bad = after.check(block0(2, 1), 1);
        assertTrue(bad.startsWith("origin block 0 sector 1 holds write #1") && bad.endsWith(
                "(write #2 to it completed and was flushed before the crash)"), bad);
    }

    @Test
    void aFlushSubmittedBeforeAWriteCompletedDoesNotCoverIt() {
        submit(Op.WRITE, 1, 0).submit(Op.FLUSH, 1, 0).complete(Op.WRITE, 1, 0, true).complete(Op.FLUSH, 1, 0, true);
        assertTrue(crash().allowed(0).zero(), "the flush was issued before the write completed");
    }

    @Test
    void failedAndInFlightWritesStayPossibleAndADiscardAllowsZeroes() {
        write(1, 0).submit(Op.WRITE, 2, 0).complete(Op.WRITE, 2, 0, false).submit(Op.WRITE, 3, 0);
        assertArrayEquals(new long[] {1L, 2L, 3L}, end().allowed(0).writes());
        assertFalse(end().allowed(0).zero());
        io.add(new UserIo(Op.DISCARD, Phase.SUBMIT, 1, 0, 1, false));
        io.add(new UserIo(Op.DISCARD, Phase.COMPLETE, 1, 0, 1, true));
        assertTrue(end().allowed(0).zero());
    }

    @Test
    void dataOfAnotherBlockOrNobodysIsAlwaysWrong() {
        write(1, 0);
        byte[] b = new byte[BS * 512];
        System.arraycopy(OriginStamp.data(5, 1, 1, BS), 0, b, 0, 512);
        assertTrue(end().check(b, 1).contains("data written for another place"), end().check(b, 1));
        byte[] junk = block0(1, 1);
        junk[700] = 1;
        assertTrue(end().check(junk, 1).contains("bytes no write of the run wrote"), end().check(junk, 1));
    }
}
