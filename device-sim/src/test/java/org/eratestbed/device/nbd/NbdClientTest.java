package org.eratestbed.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.DeviceIoException;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NbdClientDevice} against real servers on loopback: nbdkit (memory; error and delay filters) and qemu-nbd. */
class NbdClientTest {
    @TempDir
    Path tmp;

    private static byte[] pattern(int sectors, long seed) {
        byte[] b = new byte[sectors * 512];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void nbdkitMemoryRoundTripWithFuaFlushAndTrim() throws Exception {
        Path nbdkit = Peers.require("nbdkit");
        try (Peers.Server s = Peers.Server.start(nbdkit.toString(), "-f", "-i", "127.0.0.1", "-p", "PORT", "memory", "64M");
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "")) {
            assertEquals(64L * 1024 * 1024 / 512, d.sizeSectors());
            assertTrue(d.supportsTrim());
            SyncIo io = new SyncIo(d);
            byte[] a = pattern(8, 1);
            io.write(0, a);
            io.write(1000, pattern(8, 2), true);
            io.write(2000, pattern(8, 3), false, true);
            io.flush();
            byte[] back = new byte[a.length];
            io.read(0, back);
            assertArrayEquals(a, back);
            io.read(2000, back);
            assertArrayEquals(pattern(8, 3), back);
            io.discard(1000, 8);
            io.read(1000, back);
            assertArrayEquals(new byte[back.length], back, "nbdkit memory reads zeroes after a trim");
        }
    }

    @Test
    void manyRequestsInFlightAreMatchedByHandle() throws Exception {
        Path nbdkit = Peers.require("nbdkit");
        // Each read waits 200 ms in nbdkit: 16 of them in flight at once finish far sooner than 16 × 200 ms.
        try (Peers.Server s = Peers.Server.start(nbdkit.toString(), "-f", "-i", "127.0.0.1", "-p", "PORT",
                "--filter=delay", "memory", "16M", "delay-read=200ms");
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "")) {
            SyncIo io = new SyncIo(d);
            for (int i = 0; i < 16; i++) {
                io.write(i * 8L, pattern(8, 100 + i));
            }
            int n = 16;
            CountDownLatch done = new CountDownLatch(n);
            List<Bio> bios = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Bio b = Bio.read(i * 8L, new byte[8 * 512], x -> done.countDown());
                bios.add(b);
                d.submit(b);
            }
            assertTrue(d.inFlight() > 1, "several requests in flight");
            assertTrue(done.await(20, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            for (int i = 0; i < n; i++) {
                assertEquals(IoStatus.OK, bios.get(i).status());
                assertArrayEquals(pattern(8, 100 + i), bios.get(i).data(), "read " + i + " got its own data");
            }
            assertTrue(ms < n * 200 / 2, "16 delayed reads overlapped (took " + ms + " ms)");
        }
    }

    @Test
    void nbdkitErrorFilterGivesIoErrorOnReadsOnly() throws Exception {
        Path nbdkit = Peers.require("nbdkit");
        try (Peers.Server s = Peers.Server.start(nbdkit.toString(), "-f", "-i", "127.0.0.1", "-p", "PORT",
                "--filter=error", "memory", "16M", "error-pread=EIO", "error-pread-rate=100%");
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "")) {
            SyncIo io = new SyncIo(d);
            io.write(8, pattern(8, 5));
            DeviceIoException e = assertThrows(DeviceIoException.class, () -> io.read(8, new byte[4096]));
            assertEquals(IoStatus.IOERR, e.status());
            assertTrue(d.failure() == null, "an EIO reply leaves the connection working");
            io.write(16, pattern(8, 6));
        }
    }

    @Test
    void nbdkitErrorFilterWithTriggerFileFailsWritesWhileTheFileExists() throws Exception {
        Path nbdkit = Peers.require("nbdkit");
        Path trigger = tmp.resolve("fail-now");
        try (Peers.Server s = Peers.Server.start(nbdkit.toString(), "-f", "-i", "127.0.0.1", "-p", "PORT",
                "--filter=error", "memory", "16M", "error-rate=100%", "error-file=" + trigger);
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "")) {
            SyncIo io = new SyncIo(d);
            io.write(0, pattern(8, 7));
            Files.createFile(trigger);
            assertEquals(IoStatus.IOERR, assertThrows(DeviceIoException.class, () -> io.write(0, pattern(8, 8))).status());
            Files.delete(trigger);
            byte[] back = new byte[4096];
            io.read(0, back);
            assertArrayEquals(pattern(8, 7), back, "the failed write left the old data");
        }
    }

    @Test
    void qemuNbdFileExportIsReadAndWritten() throws Exception {
        Path qemuNbd = Peers.require("qemu-nbd");
        Path image = tmp.resolve("disk.img");
        byte[] initial = pattern(2048, 9);
        Files.write(image, initial);
        try (Peers.Server s = Peers.Server.start(qemuNbd.toString(), "-f", "raw", "--bind", "127.0.0.1", "-p", "PORT",
                "-x", "origin", "-t", "--cache=writeback", image.toString())) {
            try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "origin")) {
                assertEquals(2048, d.sizeSectors());
                SyncIo io = new SyncIo(d);
                byte[] back = new byte[512 * 16];
                io.read(100, back);
                assertArrayEquals(Arrays.copyOfRange(initial, 100 * 512, 116 * 512), back);
                io.write(500, pattern(16, 10), true);
                io.flush();
            }
            byte[] after = Files.readAllBytes(image);
            assertArrayEquals(pattern(16, 10), Arrays.copyOfRange(after, 500 * 512, 516 * 512));
            BadInputException e = assertThrows(BadInputException.class,
                    () -> NbdClientDevice.connect("127.0.0.1", s.port(), "nosuch"));
            assertTrue(e.getMessage().contains("ERR_UNKNOWN"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void badPeersAreOneLineBadInput() throws Exception {
        int closedPort = Peers.freePort();
        BadInputException refused = assertThrows(BadInputException.class,
                () -> NbdClientDevice.connect("127.0.0.1", closedPort, "x"));
        assertFalse(refused.getMessage().contains("\n"));
        try (ServerSocket http = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket c = http.accept(); OutputStream o = c.getOutputStream()) {
                    o.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                    o.flush();
                    c.getInputStream().read();
                } catch (IOException ignored) {
                    // the client hung up: that is the point
                }
            });
            t.start();
            BadInputException e = assertThrows(BadInputException.class,
                    () -> NbdClientDevice.connect("127.0.0.1", http.getLocalPort(), "x"));
            assertTrue(e.getMessage().contains("not an NBD server"), e.getMessage());
            t.join(5000);
        }
    }

    @Test
    void serverDyingFailsRequestsInFlightWithIoError() throws Exception {
        Path nbdkit = Peers.require("nbdkit");
        Peers.Server s = Peers.Server.start(nbdkit.toString(), "-f", "-i", "127.0.0.1", "-p", "PORT",
                "--filter=delay", "memory", "16M", "delay-read=2");
        try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "")) {
            CountDownLatch done = new CountDownLatch(1);
            Bio b = Bio.read(0, new byte[512], x -> done.countDown());
            d.submit(b);
            s.kill();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(IoStatus.IOERR, b.status());
            assertTrue(d.failure() != null && !d.failure().contains("\n"), String.valueOf(d.failure()));
            Bio later = Bio.write(0, new byte[512], false, null);
            d.submit(later);
            assertEquals(IoStatus.IOERR, later.status(), "a dead connection fails at once");
        } finally {
            s.close();
        }
    }
}
