package org.eratestbed.device.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.DeviceIoException;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultKind;
import org.eratestbed.device.fault.FaultPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimDiskTest {
    private static final int S = BlockDevice.SECTOR_SIZE;

    private static byte[] data(int sectors, int fill) {
        byte[] b = new byte[sectors * S];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private static byte[] read(BlockDevice d, long sector, int sectors) {
        byte[] b = new byte[sectors * S];
        new SyncIo(d).read(sector, b);
        return b;
    }

    @Test
    void aHugeDeviceCostsNothingUntilWritten() {
        SimDisk d = new SimDisk(1L << 31);
        assertEquals(0, d.image().pagesStored());
        assertArrayEquals(new byte[8 * S], read(d, (1L << 31) - 8, 8));
        new SyncIo(d).write((1L << 31) - 1, data(1, 7));
        assertEquals(1, d.image().pagesStored());
        assertArrayEquals(data(1, 7), read(d, (1L << 31) - 1, 1));
        new SyncIo(d).discard(1, Integer.MAX_VALUE);
        assertEquals(0, d.image().pagesStored());
        assertEquals(ContentHash.ZERO, d.contentHash());
    }

    @Test
    void badRequestsAreRejectedAndLeaveTheMediumAlone() {
        SimDisk d = SimDisk.builder(64).queued().build();
        d.setDriver(null);
        d.submit(Bio.write(0, data(8, 3), false, null));
        d.completeAll();
        PageImage before = d.image();
        PageImage durableBefore = d.durableImage();
        int logBefore = d.log().size();
        List<Runnable> bad = List.of(
                () -> d.submit(Bio.write(-1, data(1, 9), false, null)),
                () -> d.submit(Bio.write(60, data(8, 9), true, null)),
                () -> d.submit(Bio.read(64, new byte[S], null)),
                () -> d.submit(Bio.discard(0, 65, null)),
                () -> d.submit(Bio.discard(10, 0, null)),
                () -> d.submit(Bio.write(0, new byte[S + 1], false, null)),
                () -> d.submit(Bio.read(0, new byte[0], null)),
                () -> SimDisk.builder(64).faults(FaultPlan.parse("seed=1; latent sectors=60..70")).build(),
                () -> SimDisk.builder(64).faults(FaultPlan.parse("seed=1; misdirect op=1 to=64")).build(),
                () -> FaultPlan.parse("seed=1; nonsense"));
        for (Runnable r : bad) {
            assertThrows(BadInputException.class, r::run);
            assertTrue(d.image().sameContent(before));
            assertTrue(d.durableImage().sameContent(durableBefore));
            assertEquals(logBefore, d.log().size());
            assertTrue(d.pending().isEmpty());
        }
    }

    @Test
    void aFlushCoversOnlyWritesCompletedBeforeItWasSubmitted() {
        SimDisk d = SimDisk.builder(64).queued().build();
        Bio a = Bio.write(0, data(1, 1), false, null);
        Bio b = Bio.write(1, data(1, 2), false, null);
        d.submit(a);
        d.submit(b);
        d.complete(a);
        Bio flush = Bio.flush(null);
        d.submit(flush);
        d.complete(b); // completes while the flush is in flight: the flush promises nothing about it
        d.complete(flush);
        assertFalse(d.durableImage().isZero(0));
        assertTrue(d.durableImage().isZero(1));
        CrashSpace space = d.crash();
        assertEquals(BigInteger.TWO, space.count());
        assertEquals(1, space.writes().size());
        assertEquals(1, space.writes().get(0).seq());
    }

    @Test
    void inFlightWritesAreVolatileAndInvisibleToReads() {
        SimDisk d = SimDisk.builder(64).queued().build();
        d.submit(Bio.write(8, data(2, 5), false, null));
        byte[] buf = new byte[2 * S];
        Bio r = Bio.read(8, buf, null);
        d.submit(r);
        d.complete(r);
        assertArrayEquals(new byte[2 * S], buf);
        CrashSpace space = d.crash();
        assertEquals(BigInteger.valueOf(4), space.count());
        assertTrue(space.writes().get(0).inFlight());
        assertEquals(BigInteger.TWO, d.crash(8).count());
        assertEquals(BigInteger.TWO, d.crash(CrashSpace.WHOLE_WRITES).count());
    }

    @Test
    void aDiscardZeroesItsRangeAndTearsAsOneUnit() {
        SimDisk d = new SimDisk(1 << 20);
        SyncIo io = new SyncIo(d);
        io.write(0, data(16, 4));
        io.flush();
        io.discard(0, 1 << 19);
        assertArrayEquals(new byte[16 * S], read(d, 0, 16));
        CrashSpace space = d.crash();
        assertEquals(BigInteger.TWO, space.count());
        assertArrayEquals(data(16, 4), readState(space.noneKept(), 0, 16));
        assertArrayEquals(new byte[16 * S], readState(space.allKept(), 0, 16));
        assertEquals(ContentHash.ZERO, space.allKept().contentHash());
    }

    private static byte[] readState(CrashState st, long sector, int n) {
        byte[] b = new byte[n * S];
        st.read(sector, b, 0, n);
        return b;
    }

    @Test
    void twelveVolatileWritesAreSampledBeyondTheBound() {
        SimDisk d = new SimDisk(8192);
        SyncIo io = new SyncIo(d);
        for (int i = 0; i < 12; i++) {
            io.write(i * 64L, data(8, i + 1));
        }
        CrashSpace space = d.crash();
        assertEquals(BigInteger.TWO.pow(96), space.count());
        CrashSelection sel = space.select(5, 1000);
        assertFalse(sel.exhaustive());
        Set<BigInteger> seen = new HashSet<>();
        for (CrashState st : sel) {
            assertTrue(seen.add(st.index()));
            assertEquals(st, space.state(st.index()));
        }
        assertEquals(1000, sel.produced());
        assertTrue(sel.summary().startsWith("1000 of 2^96 = 79228162514264337593543950336 crash states (sampled"),
                sel.summary());
        CrashSelection whole = d.crash(CrashSpace.WHOLE_WRITES).select(5);
        assertTrue(whole.exhaustive());
        int n = 0;
        for (CrashState ignored : whole) {
            n++;
        }
        assertEquals(4096, n);
        assertEquals("4096 of 4096 crash states (exhaustive)", whole.summary());
    }

    @Test
    void aCrashStateIsReadOnlyAndReopensAsAFreshDisk() {
        SimDisk d = new SimDisk(64);
        new SyncIo(d).write(0, data(8, 1));
        CrashState st = d.crash().allKept();
        assertThrows(UnsupportedOperationException.class, () -> st.submit(Bio.write(0, data(1, 2), false, null)));
        SimDisk reopened = st.toDisk();
        assertTrue(reopened.durableImage().sameContent(st.materialize()));
        new SyncIo(reopened).write(0, data(1, 2));
        assertArrayEquals(data(8, 1), readState(st, 0, 8));
        assertEquals(BigInteger.TWO.pow(1), reopened.crash().count());
    }

    @Test
    void syncIoOnAQueuedDiskFailsFastOnTheDrivingThread() throws Exception {
        SimDisk d = SimDisk.builder(64).queued().name("meta").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SyncIo(d).flush());
        assertTrue(e.getMessage().startsWith("meta: FLUSH is queued"), e.getMessage());
        assertEquals(1, d.pending().size());
        d.completeAll();

        d.setDriver(Thread.currentThread());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                new SyncIo(d).write(0, data(1, 1), true);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        while (d.pending().isEmpty()) {
            Thread.onSpinWait();
        }
        d.completeAll();
        worker.join(10_000);
        assertFalse(worker.isAlive());
        assertNull(failure.get());
        assertArrayEquals(data(1, 1), readState(d.crash().noneKept(), 0, 1));
    }

    @Test
    void eioOnReadAndWriteLeavesTheMediumUnchanged() {
        SimDisk d = SimDisk.builder(64).faults(FaultPlan.parse("seed=1; eio-write op=1; eio-read op=2")).build();
        SyncIo io = new SyncIo(d);
        io.write(0, data(1, 1));
        DeviceIoException w = assertThrows(DeviceIoException.class, () -> io.write(0, data(1, 2)));
        assertEquals(IoStatus.IOERR, w.status());
        assertThrows(DeviceIoException.class, () -> read(d, 0, 1));
        assertArrayEquals(data(1, 1), read(d, 0, 1));
        assertEquals(List.of(FaultKind.EIO_WRITE, FaultKind.EIO_READ),
                d.faultEvents().stream().map(e -> e.kind()).toList());
        assertEquals("op 1: eio-write WRITE 0+1", d.faultEvents().get(0).toString());
    }

    @Test
    void latentSectorsFailReadsUntilRewritten() {
        SimDisk d = SimDisk.builder(64).faults(FaultPlan.parse("seed=1; latent sectors=4..6")).build();
        assertArrayEquals(new byte[S], read(d, 3, 1));
        assertThrows(DeviceIoException.class, () -> read(d, 0, 8));
        new SyncIo(d).write(4, data(1, 9));
        assertThrows(DeviceIoException.class, () -> read(d, 5, 1));
        assertArrayEquals(data(1, 9), read(d, 4, 1));
        new SyncIo(d).write(5, data(1, 8));
        read(d, 0, 8);
        assertEquals(2, d.faultEvents().size());
    }

    @Test
    void misdirectedDroppedAndLyingFlushes() {
        SimDisk d = SimDisk.builder(64)
                .faults(FaultPlan.parse("seed=3; misdirect op=0 to=32; drop op=1; lying-flush op=2; misdirect op=3"))
                .build();
        SyncIo io = new SyncIo(d);
        io.write(0, data(2, 1));
        io.write(8, data(1, 2));
        io.flush();
        io.write(16, data(1, 3));
        assertArrayEquals(new byte[2 * S], read(d, 0, 2));
        assertArrayEquals(data(2, 1), read(d, 32, 2));
        assertArrayEquals(new byte[S], read(d, 8, 1));
        assertArrayEquals(new byte[S], read(d, 16, 1));
        long landed = d.log().get(3).landedSector();
        assertTrue(landed != 16 && landed >= 0 && landed <= 63, "landed " + landed);
        assertArrayEquals(data(1, 3), read(d, landed, 1));
        // The lying flush made nothing durable: both surviving writes are still volatile.
        assertEquals(2, d.volatileWrites());
        assertTrue(d.durableImage().isZero(32));
        assertEquals(List.of(FaultKind.MISDIRECT, FaultKind.DROP, FaultKind.LYING_FLUSH, FaultKind.MISDIRECT),
                d.faultEvents().stream().map(e -> e.kind()).toList());
    }

    @Test
    void theLogRecordsOrderFlagsStatusAndData(@TempDir Path dir) throws Exception {
        SimDisk d = SimDisk.builder(64).queued().build();
        d.setDriver(null);
        Bio w = Bio.write(8, data(2, 1), true, true, null);
        Bio f = Bio.flush(null);
        d.submit(w);
        d.submit(f);
        d.complete(f);
        d.complete(w);
        List<IoRecord> log = d.log().records();
        assertEquals("#0 WRITE 8+2 FUA PREFLUSH t=0..3 OK", log.get(0).toString().replaceAll(" sha256=.*", ""));
        assertEquals("#1 FLUSH t=1..2 OK", log.get(1).toString());
        assertArrayEquals(SimDisk.sha256(data(2, 1)), log.get(0).dataHash());
        Path file = dir.resolve("io.log");
        IoLogFile.write(d.log(), file);
        assertEquals(d.log(), IoLogFile.read(file));
        assertTrue(d.log().toText().contains("#1 FLUSH"));
    }

    @Test
    void aCorruptLogFileIsBadInput() throws Exception {
        SimDisk d = new SimDisk(64);
        new SyncIo(d).write(0, data(1, 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IoLogFile.write(d.log(), out);
        byte[] bytes = out.toByteArray();
        BadInputException trunc = assertThrows(BadInputException.class,
                () -> IoLogFile.read(new ByteArrayInputStream(bytes, 0, bytes.length - 10), "x.log"));
        assertEquals("x.log: I/O log truncated in record 0", trunc.getMessage());
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThrows(BadInputException.class, () -> IoLogFile.read(new ByteArrayInputStream(magic), "x.log"));
        assertThrows(BadInputException.class, () -> IoLogFile.read(Files.newInputStream(Files.createTempFile("e", "")), "e"));
    }
}
