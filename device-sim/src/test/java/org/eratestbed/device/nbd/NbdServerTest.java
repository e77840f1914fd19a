package org.eratestbed.device.nbd;

import static org.eratestbed.device.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.DeviceIoException;
import org.eratestbed.device.IoStatus;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.device.sim.IoRecord;
import org.eratestbed.device.sim.SimDisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NbdServer} exporting SimDisks, used by real clients (libnbd, qemu), by {@link NbdClientDevice} and by hostile peers. */
class NbdServerTest {
    @TempDir
    Path tmp;
    SimDisk meta;
    SimDisk origin;
    NbdServer server;
    final ConcurrentLinkedQueue<NbdRequestEvent> events = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        meta = SimDisk.builder(8192).name("meta").build();
        origin = SimDisk.builder(16384).name("origin").build();
        server = new NbdServer().export("meta", meta).export("origin", origin).listener(events::add).start(0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    private String uri(String export) {
        return server.uri(export);
    }

    @Test
    void nbdinfoListsBothExportsWithTheirSizes() throws Exception {
        Path nbdinfo = Peers.require("nbdinfo");
        Peers.Result list = Peers.run(30, nbdinfo.toString(), "--list", "nbd://127.0.0.1:" + server.port());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("export=\"meta\"") || list.out().contains("export=meta"), list.out());
        assertTrue(list.out().contains("origin"), list.out());
        Peers.Result size = Peers.run(30, nbdinfo.toString(), "--size", uri("meta"));
        assertEquals(0, size.exit(), size.err());
        assertEquals(Long.toString(8192L * 512), size.out().strip());
        Peers.Result json = Peers.run(30, nbdinfo.toString(), "--json", uri("origin"));
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"can_flush\": true"), json.out());
        assertTrue(json.out().contains("\"can_fua\": true"), json.out());
        assertTrue(json.out().contains("\"can_trim\": true"), json.out());
        Peers.Result unknown = Peers.run(30, nbdinfo.toString(), "--size", uri("nosuch"));
        assertTrue(unknown.exit() != 0, "an unknown export is refused");
    }

    @Test
    void nbdcopyAndQemuImgMoveAnImageThroughTheServerAndTheSimDiskLogsIt() throws Exception {
        Path nbdcopy = Peers.require("nbdcopy");
        Path qemuImg = Peers.require("qemu-img");
        Path in = tmp.resolve("in.img");
        byte[] content = random(16384 * 512, 7);
        Arrays.fill(content, 4096, 8192, (byte) 0);
        Files.write(in, content);
        Peers.Result copy = Peers.run(60, nbdcopy.toString(), "--flush", in.toString(), uri("origin"));
        assertEquals(0, copy.exit(), copy.err());
        byte[] onDisk = new byte[content.length];
        origin.peek(0, onDisk, 0, 16384);
        assertArrayEquals(content, onDisk, "the SimDisk holds what nbdcopy sent");
        assertTrue(origin.log().records().stream().anyMatch(r -> r.op() == BioOp.WRITE), "writes logged");
        assertTrue(origin.log().records().stream().anyMatch(r -> r.op() == BioOp.FLUSH), "nbdcopy --flush logged a flush");
        assertEquals(0, origin.volatileWrites(), "after the flush nothing is volatile");

        Peers.Result cmp = Peers.run(60, qemuImg.toString(), "compare", "-f", "raw", "-F", "raw", in.toString(), uri("origin"));
        assertEquals(0, cmp.exit(), cmp.out() + cmp.err());
        Path out = tmp.resolve("out.img");
        Peers.Result convert = Peers.run(60, qemuImg.toString(), "convert", "-f", "raw", "-O", "raw", uri("origin"), out.toString());
        assertEquals(0, convert.exit(), convert.err());
        assertArrayEquals(content, Files.readAllBytes(out));
        assertTrue(events.stream().anyMatch(e -> e.export().equals("origin") && e.command() == CMD_READ && e.error() == 0));
        assertTrue(server.openConnections() == 0 || waitForNoConnections(), "clients that left are cleaned up");
    }

    private boolean waitForNoConnections() throws InterruptedException {
        for (int i = 0; i < 200 && server.openConnections() > 0; i++) {
            Thread.sleep(10);
        }
        if (server.openConnections() != 0) {
            Thread.getAllStackTraces().forEach((t, st) -> {
                if (t.getName().startsWith("nbd-")) {
                    System.err.println(t.getName() + " " + Arrays.toString(st));
                }
            });
        }
        return server.openConnections() == 0;
    }

    @Test
    void ourClientAgainstOurServerKeepsFuaAndFlushAndPipelines() throws Exception {
        try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", server.port(), "meta")) {
            assertEquals(8192, d.sizeSectors());
            SyncIo io = new SyncIo(d);
            io.write(8, random(4096, 1));
            assertEquals(1, meta.volatileWrites(), "a plain write stays in the SimDisk's cache");
            io.write(16, random(4096, 2), true);
            IoRecord fua = meta.log().records().get(meta.log().size() - 1);
            assertTrue(fua.fua(), "FUA reached the device");
            io.write(24, random(4096, 3), false, true);
            List<IoRecord> recs = meta.log().records();
            assertEquals(BioOp.FLUSH, recs.get(recs.size() - 2).op(), "a preflush write is a flush, then the write");
            assertEquals(BioOp.WRITE, recs.get(recs.size() - 1).op());
            io.flush();
            assertEquals(0, meta.volatileWrites());
            io.discard(8, 8);
            byte[] back = new byte[4096];
            io.read(8, back);
            assertArrayEquals(new byte[4096], back);

            int n = 40;
            CountDownLatch done = new CountDownLatch(n);
            List<Bio> bios = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Bio b = i % 2 == 0 ? Bio.write(100 + i * 8L, random(4096, 100 + i), false, x -> done.countDown())
                        : Bio.read(100 + (i - 1) * 8L, new byte[4096], x -> done.countDown());
                bios.add(b);
                d.submit(b);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            for (int i = 1; i < n; i += 2) {
                assertEquals(IoStatus.OK, bios.get(i).status());
                assertArrayEquals(random(4096, 100 + i - 1), bios.get(i).data(), "requests on one connection keep their order");
            }
        }
    }

    @Test
    void manyClientsAtOnceEachSeeTheirOwnWrites() throws Exception {
        int clients = 8;
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", server.port(), "origin")) {
                    SyncIo io = new SyncIo(d);
                    for (int i = 0; i < 20; i++) {
                        long sector = (id * 20L + i) * 8;
                        byte[] data = random(4096, id * 1000L + i);
                        io.write(sector, data, i % 3 == 0);
                        byte[] back = new byte[4096];
                        io.read(sector, back);
                        assertArrayEquals(data, back);
                    }
                    io.flush();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "test-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(0, origin.volatileWrites(), "the flushes covered every client's writes");
        assertTrue(server.connectionsServed() >= clients);
    }

    /** Completes the bios it is given in reverse order, on its own thread, once {@code batch} of them wait. */
    static final class ReversingDevice implements org.eratestbed.device.BlockDevice {
        final SimDisk disk;
        final int batch;
        final List<Bio> held = new ArrayList<>();

        ReversingDevice(SimDisk disk, int batch) {
            this.disk = disk;
            this.batch = batch;
        }

        @Override
        public long sizeSectors() {
            return disk.sizeSectors();
        }

        @Override
        public synchronized void submit(Bio bio) {
            held.add(bio);
            if (held.size() == batch) {
                List<Bio> go = new ArrayList<>(held);
                held.clear();
                new Thread(() -> {
                    for (int i = go.size() - 1; i >= 0; i--) {
                        Bio b = go.get(i);
                        Bio inner = b.op() == BioOp.READ ? Bio.read(b.sector(), b.data(), null)
                                : Bio.write(b.sector(), b.data(), b.fua(), null);
                        disk.submit(inner);
                        b.complete(inner.status());
                    }
                }, "test-reverser").start();
            }
        }
    }

    @Test
    void repliesOutOfOrderAreMatchedByHandle() throws Exception {
        SimDisk backing = SimDisk.builder(1024).name("backing").build();
        for (int i = 0; i < 8; i++) {
            new SyncIo(backing).write(i * 8L, random(4096, 500 + i));
        }
        try (NbdServer s = new NbdServer().export("rev", new ReversingDevice(backing, 8)).start(0);
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "rev")) {
            List<Bio> bios = new ArrayList<>();
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(8);
            for (int i = 0; i < 8; i++) {
                int n = i;
                Bio b = Bio.read(i * 8L, new byte[4096], x -> {
                    order.add(n);
                    done.countDown();
                });
                bios.add(b);
                d.submit(b);
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(7, 6, 5, 4, 3, 2, 1, 0), order, "the server replied as the device completed: reversed");
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(random(4096, 500 + i), bios.get(i).data(), "read " + i + " got its own data");
            }
        }
    }

    @Test
    void aFloodOfIdleConnectionsIsCappedAndServiceResumes() throws Exception {
        List<RawNbd> flood = new ArrayList<>();
        try {
            for (int i = 0; i < NbdServer.MAX_CONNECTIONS; i++) {
                flood.add(new RawNbd(server.port()));
            }
            for (int i = 0; i < 200 && server.openConnections() < NbdServer.MAX_CONNECTIONS; i++) {
                Thread.sleep(10);
            }
            try (RawNbd extra = new RawNbd(server.port())) {
                assertTrue(extra.closedByServer(), "a connection past the cap is closed at once");
            }
        } finally {
            for (RawNbd r : flood) {
                r.close();
            }
        }
        assertTrue(waitForNoConnections());
        try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", server.port(), "meta")) {
            new SyncIo(d).read(0, new byte[512]);
        }
    }

    @Test
    void completionsThatSubmitMoreIoDoNotStallTheClient() throws Exception {
        // From inside one completion: 120 reads of 1 MiB, whose replies fill the socket buffers (up to 32 MiB on
        // loopback) and the server's in-flight slots so that it stops reading, then 60 writes of 1 MiB that cannot
        // all be sent until the client reads again. Sent from the reader thread itself, they would wait for ever.
        // One buffer serves all reads and one all writes: only the traffic needs to be large, not the heap.
        try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", server.port(), "origin")) {
            int reads = 120;
            int writes = 60;
            byte[] readBuffer = new byte[1 << 20];
            byte[] writeBuffer = new byte[1 << 20];
            CountDownLatch done = new CountDownLatch(reads + writes);
            java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.function.Consumer<Bio> count = b -> {
                if (!b.status().ok()) {
                    failed.incrementAndGet();
                }
                done.countDown();
            };
            d.submit(Bio.write(0, random(4096, 0), false, first -> {
                for (int i = 0; i < reads; i++) {
                    d.submit(Bio.read((i % 8) * 2048L, readBuffer, count));
                }
                for (int i = 0; i < writes; i++) {
                    d.submit(Bio.write((i % 8) * 2048L, writeBuffer, false, count));
                }
            }));
            assertTrue(done.await(20, TimeUnit.SECONDS), "every request submitted by a completion completed");
            assertEquals(0, failed.get());
        }
    }

    @Test
    void deviceErrorsReachTheClientAsEio() throws Exception {
        SimDisk failing = SimDisk.builder(1024).name("bad").faults(FaultPlan.parse("seed=1; eio-read sectors=0..8")).build();
        try (NbdServer s = new NbdServer().export("bad", failing).start(0);
             NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", s.port(), "bad")) {
            SyncIo io = new SyncIo(d);
            assertEquals(IoStatus.IOERR, assertThrows(DeviceIoException.class, () -> io.read(0, new byte[512])).status());
            io.read(8, new byte[512]);
            io.write(0, new byte[512]);
        }
    }

    @Test
    void queuedDisksAreRefused() {
        SimDisk queued = SimDisk.builder(64).queued().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NbdServer().export("q", queued));
        assertTrue(e.getMessage().contains("IMMEDIATE"), e.getMessage());
    }

    @Test
    void protocolErrorsAreAnsweredAndTheExportStaysIntact() throws Exception {
        byte[] good = random(4096, 42);
        new SyncIo(meta).write(0, good);
        try (RawNbd c = new RawNbd(server.port()).greet()) {
            c.option(OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(REP_ERR_UNSUP, c.optionReply().type(), "structured replies are refused");
            c.option(4242, new byte[] {1, 2, 3});
            assertEquals(REP_ERR_UNSUP, c.optionReply().type());
            c.option(OPT_GO, RawNbd.goData("nosuch"));
            assertEquals(REP_ERR_UNKNOWN, c.optionReply().type());
            c.option(OPT_LIST, new byte[] {1});
            assertEquals(REP_ERR_INVALID, c.optionReply().type());
            c.option(OPT_INFO, new byte[] {0, 0, 0, 99, 0, 0});
            assertEquals(REP_ERR_INVALID, c.optionReply().type(), "a name length past the option's end");
            c.option(OPT_LIST, new byte[0]);
            Set<String> names = new java.util.TreeSet<>();
            for (RawNbd.OptionReply r = c.optionReply(); r.type() != REP_ACK; r = c.optionReply()) {
                names.add(new String(r.data(), 4, r.data().length - 4));
            }
            assertEquals(Set.of("meta", "origin"), names);
        }
        try (RawNbd c = new RawNbd(server.port()).go("meta")) {
            c.request(CMD_READ, 0, 1, 8192L * 512, 512, null);
            assertEquals(EINVAL, c.reply().error(), "read past the end");
            c.request(CMD_WRITE, 0, 2, 8191L * 512, 1024, new byte[1024]);
            assertEquals(EINVAL, c.reply().error(), "write straddling the end");
            c.request(CMD_READ, 0, 3, 100, 512, null);
            assertEquals(EINVAL, c.reply().error(), "unaligned read");
            c.request(CMD_READ, 0, 4, 0, MAX_PAYLOAD + 512L, null);
            assertEquals(EINVAL, c.reply().error(), "oversized read");
            c.request(99, 0, 5, 0, 0, null);
            RawNbd.Reply unknown = c.reply();
            assertEquals(EINVAL, unknown.error(), "unknown command");
            assertEquals(5, unknown.handle());
            c.request(CMD_READ, 0, 6, -512L, 512, null);
            assertEquals(EINVAL, c.reply().error(), "offset beyond 2^63");
            c.request(CMD_READ, 0, 7, 0, 512, null);
            RawNbd.Reply ok = c.reply();
            assertEquals(0, ok.error());
            byte[] data = new byte[512];
            c.in.readFully(data);
            assertArrayEquals(Arrays.copyOf(good, 512), data);
            c.request(CMD_WRITE, 0, 8, 0, MAX_PAYLOAD + 512L, null);
            assertEquals(EINVAL, c.reply().error(), "oversized write");
            assertTrue(c.closedByServer(), "an oversized write's payload cannot be skipped: the server hangs up");
        }
        try (RawNbd c = new RawNbd(server.port()).go("meta")) {
            // A write cut off mid-payload never reaches the export.
            c.out.writeInt(REQUEST_MAGIC);
            c.out.writeShort(0);
            c.out.writeShort(CMD_WRITE);
            c.out.writeLong(9);
            c.out.writeLong(0);
            c.out.writeInt(4096);
            c.out.write(new byte[2000]);
            c.out.flush();
        }
        try (RawNbd c = new RawNbd(server.port()).go("meta")) {
            c.out.writeInt(0xdeadbeef);
            c.out.write(new byte[24]);
            c.out.flush();
            assertTrue(c.closedByServer(), "bad request magic closes the connection");
        }
        assertTrue(waitForNoConnections());
        byte[] now = new byte[4096];
        meta.peek(0, now, 0, 8);
        assertArrayEquals(good, now, "no refused, cut or hostile request changed the export");
        assertTrue(meta.log().records().stream().filter(r -> r.op() == BioOp.WRITE).count() == 1,
                "only the test's own write reached the device");
    }

    @Test
    void aClientThatNeverReadsRepliesStallsOnlyItself() throws Exception {
        try (RawNbd hog = new RawNbd(server.port()).go("origin")) {
            hog.socket.setReceiveBufferSize(4096);
            // Reads of 1 MiB each, never read back: its socket and then its in-flight slots fill up.
            Thread flood = new Thread(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        hog.request(CMD_READ, 0, i, 0, 1 << 20, null);
                    }
                } catch (Exception stalled) {
                    // the server stopped reading us, or we were closed: expected
                }
            }, "test-hog");
            flood.setDaemon(true);
            flood.start();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            try (NbdClientDevice d = NbdClientDevice.connect("127.0.0.1", server.port(), "meta")) {
                SyncIo io = new SyncIo(d);
                for (int i = 0; i < 50; i++) {
                    io.write(i * 8L, random(4096, i));
                    io.read(i * 8L, new byte[4096]);
                }
            }
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000, "the good client was served");
            hog.close();
            flood.join(5000);
        }
        assertTrue(waitForNoConnections(), "the hog's threads ended after it left");
    }

    @Test
    void closeEndsEveryServerThread() throws Exception {
        NbdServer s = new NbdServer().export("x", new SimDisk(64)).start(0);
        int port = s.port();
        RawNbd idle = new RawNbd(port);
        RawNbd open = new RawNbd(port).go("x");
        for (int i = 0; i < 200 && (s.openConnections() < 2 || nbdThreads(port).size() < 4); i++) {
            Thread.sleep(10);
        }
        assertEquals(2, s.openConnections());
        assertEquals(4, nbdThreads(port).size(), "acceptor, a reader for each, a writer for the open one: " + nbdThreads(port));
        s.close();
        assertTrue(idle.closedByServer() && open.closedByServer());
        idle.close();
        open.close();
        assertEquals(Set.of(), nbdThreads(port), "no server thread outlives close()");
        assertEquals(0, s.openConnections());
    }

    /**
     * A connection whose peer hangs up removes itself from the server's set a moment before its reader thread
     * ends; a close() in that moment must still wait for the thread (CI once saw a reader outlive close()).
     */
    @Test
    void closeWaitsForConnectionsThatAreEndingOnTheirOwn() throws Exception {
        NbdServer s = new NbdServer().export("x", new SimDisk(64));
        CountDownLatch left = new CountDownLatch(1);
        s.afterEnded = () -> {
            left.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        s.start(0);
        int port = s.port();
        try (java.net.Socket peer = new Socket(InetAddress.getLoopbackAddress(), port)) {
            peer.getOutputStream().write(new byte[] {1, 2, 3});
        }
        assertTrue(left.await(5, TimeUnit.SECONDS), "the hung-up connection ended");
        assertEquals(0, s.openConnections());
        s.close();
        assertEquals(Set.of(), nbdThreads(port), "a reader still finishing is waited for by close()");
    }

    private static Set<String> nbdThreads(int port) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("nbd-" + port + "-"))
                .collect(Collectors.toSet());
    }
}
