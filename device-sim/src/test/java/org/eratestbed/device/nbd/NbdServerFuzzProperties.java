package org.eratestbed.device.nbd;

import static org.eratestbed.device.nbd.NbdProtocol.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.sim.SimDisk;

/**
 * Hostile and broken peers against {@link NbdServer} while a good client works on the same export: garbage before
 * or after the greeting, random options, random requests (bad magic, unknown commands, out-of-range, oversized,
 * cut-off writes), abrupt disconnects at any byte, and peers that never read a reply. The good client's reads
 * always see its own model, the export ends equal to the model, and the server still serves and leaves no thread.
 */
class NbdServerFuzzProperties {
    static final int META_SECTORS = 2048;
    static final int SCRATCH_SECTORS = 256;

    enum Kind { GARBAGE, OPTIONS, REQUESTS_META, REQUESTS_SCRATCH, NEVER_READS }

    /** One hostile peer: what it does, its random seed, where its byte stream is cut (percent), RST or FIN. */
    record Hostile(Kind kind, long seed, int cutPercent, boolean reset) {
    }

    /** One step of the good client: write, read, flush or trim at a block. */
    record Op(int kind, int block, int blocks, long seed) {
    }

    @Provide
    Arbitrary<List<Hostile>> hostiles() {
        Arbitrary<Hostile> one = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.longs(),
                Arbitraries.integers().between(0, 100), Arbitraries.of(true, false)).as(Hostile::new);
        return one.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Op>> goodOps() {
        Arbitrary<Op> one = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, META_SECTORS / 8 - 4), Arbitraries.integers().between(1, 4),
                Arbitraries.longs()).as(Op::new);
        return one.list().ofMinSize(10).ofMaxSize(60);
    }

    @Property(tries = 20)
    void hostilePeersNeitherCorruptTheExportNorStopService(@ForAll("hostiles") List<Hostile> hostiles,
                                                           @ForAll("goodOps") List<Op> ops) throws Exception {
        SimDisk meta = SimDisk.builder(META_SECTORS).name("meta").build();
        SimDisk scratch = SimDisk.builder(SCRATCH_SECTORS).name("scratch").build();
        byte[] model = new byte[META_SECTORS * 512];
        NbdServer server = new NbdServer().export("meta", meta).export("scratch", scratch).start(0);
        int port = server.port();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (Hostile h : hostiles) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                sockets.add(s);
                Thread t = new Thread(() -> play(h, s), "fuzz-hostile-" + h.kind());
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            try (NbdClientDevice good = NbdClientDevice.connect("127.0.0.1", port, "meta")) {
                SyncIo io = new SyncIo(good);
                for (Op op : ops) {
                    long sector = op.block() * 8L;
                    int bytes = op.blocks() * 4096;
                    switch (op.kind()) {
                        case 0: {
                            byte[] data = new byte[bytes];
                            new SplittableRandom(op.seed()).nextBytes(data);
                            io.write(sector, data, (op.seed() & 1) != 0);
                            System.arraycopy(data, 0, model, (int) sector * 512, bytes);
                            break;
                        }
                        case 1: {
                            byte[] back = new byte[bytes];
                            io.read(sector, back);
                            byte[] expected = Arrays.copyOfRange(model, (int) sector * 512, (int) sector * 512 + bytes);
                            if (!Arrays.equals(expected, back)) {
                                throw new AssertionError("good client read other data at sector " + sector);
                            }
                            break;
                        }
                        case 2:
                            io.flush();
                            break;
                        default:
                            io.discard(sector, op.blocks() * 8);
                            Arrays.fill(model, (int) sector * 512, (int) sector * 512 + bytes, (byte) 0);
                            break;
                    }
                }
            }
            for (Thread t : threads) {
                t.join(5000);
            }
            byte[] image = new byte[model.length];
            meta.peek(0, image, 0, META_SECTORS);
            if (!Arrays.equals(model, image)) {
                throw new AssertionError("the export differs from the good client's model");
            }
            try (NbdClientDevice again = NbdClientDevice.connect("127.0.0.1", port, "meta")) {
                new SyncIo(again).read(0, new byte[512]);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            server.close();
        }
        List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("nbd-" + port + "-")).collect(Collectors.toList());
        if (!left.isEmpty()) {
            throw new AssertionError("server threads outlived close(): " + left);
        }
    }

    /** Sends the hostile stream (cut where told), reads replies only when its kind does, then hangs up. */
    private static void play(Hostile h, Socket s) {
        try {
            SplittableRandom rnd = new SplittableRandom(h.seed());
            byte[] stream = stream(h, rnd);
            int cut = (int) ((long) stream.length * h.cutPercent() / 100);
            if (h.kind() == Kind.NEVER_READS) {
                cut = stream.length;
                s.setReceiveBufferSize(4096);
            }
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Thread drain = null;
            if (h.kind() != Kind.NEVER_READS) {
                drain = new Thread(() -> {
                    byte[] buf = new byte[65536];
                    try {
                        while (in.read(buf) >= 0) {
                            // replies are read and dropped
                        }
                    } catch (IOException closed) {
                        // the server or we hung up
                    }
                }, "fuzz-drain");
                drain.setDaemon(true);
                drain.start();
            }
            s.setSoTimeout(2000);
            out.write(stream, 0, cut);
            out.flush();
            if (h.kind() == Kind.NEVER_READS) {
                Thread.sleep(200);
            }
            if (h.reset()) {
                s.setSoLinger(true, 0);
            }
            s.close();
            if (drain != null) {
                drain.join(2000);
            }
        } catch (IOException | InterruptedException e) {
            // a hostile peer's own failures are its problem; only the server's behaviour is under test
        }
    }

    private static byte[] stream(Hostile h, SplittableRandom rnd) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        if (h.kind() == Kind.GARBAGE) {
            byte[] junk = new byte[rnd.nextInt(1, 300)];
            rnd.nextBytes(junk);
            out.write(junk);
            return bytes.toByteArray();
        }
        out.writeInt(rnd.nextInt(20) == 0 ? rnd.nextInt() : FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        if (h.kind() == Kind.OPTIONS) {
            for (int i = rnd.nextInt(1, 8); i > 0; i--) {
                out.writeLong(rnd.nextInt(10) == 0 ? rnd.nextLong() : IHAVEOPT);
                int option = rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(0, 12);
                byte[] data = option == OPT_INFO || option == OPT_LIST ? infoLike(rnd) : new byte[rnd.nextInt(0, 64)];
                if (option != OPT_INFO && option != OPT_LIST) {
                    rnd.nextBytes(data);
                }
                out.writeInt(option == OPT_EXPORT_NAME || option == OPT_GO || option == OPT_ABORT ? OPT_LIST : option);
                out.writeInt(rnd.nextInt(10) == 0 ? rnd.nextInt() : data.length);
                out.write(data);
            }
            return bytes.toByteArray();
        }
        String export = h.kind() == Kind.REQUESTS_SCRATCH ? "scratch" : "meta";
        byte[] go = RawNbd.goData(export);
        out.writeLong(IHAVEOPT);
        out.writeInt(OPT_GO);
        out.writeInt(go.length);
        out.write(go);
        long size = (h.kind() == Kind.REQUESTS_SCRATCH ? SCRATCH_SECTORS : META_SECTORS) * 512L;
        int n = h.kind() == Kind.NEVER_READS ? 200 : rnd.nextInt(1, 30);
        for (int i = 0; i < n; i++) {
            if (h.kind() == Kind.NEVER_READS) {
                request(out, CMD_READ, 0, i, 0, 64 * 1024);
                continue;
            }
            int what = rnd.nextInt(9);
            switch (what) {
                case 0:
                    out.writeInt(rnd.nextInt());
                    out.write(new byte[24]);
                    break;
                case 1:
                    request(out, rnd.nextInt(5, 1 << 16), rnd.nextInt(1 << 16), i, rnd.nextLong(), rnd.nextInt());
                    break;
                case 2:
                    request(out, CMD_READ, 0, i, rnd.nextLong(size) & ~511L, rnd.nextInt(1, 16) * 512);
                    break;
                case 3:
                    request(out, CMD_READ, 0, i, rnd.nextLong(), rnd.nextInt());
                    break;
                case 4: {
                    // Out of range, unaligned or zero-length: refused with EINVAL, payload skipped.
                    int len = rnd.nextInt(0, 8) * 512 + (rnd.nextBoolean() ? 0 : 1);
                    long off = rnd.nextBoolean() ? size - 512 + rnd.nextInt(1, 4096) : rnd.nextLong() | Long.MIN_VALUE;
                    request(out, CMD_WRITE, 0, i, off, len);
                    out.write(new byte[len]);
                    break;
                }
                case 5:
                    request(out, CMD_WRITE, 0, i, 0, MAX_PAYLOAD + 1 + rnd.nextInt(1000));
                    break;
                case 6:
                    request(out, CMD_FLUSH, rnd.nextInt(2), i, 0, 0);
                    break;
                case 7:
                    request(out, CMD_TRIM, 0, i, size - rnd.nextInt(0, 4096), rnd.nextInt(4097, 1 << 20));
                    break;
                default:
                    if (h.kind() == Kind.REQUESTS_SCRATCH) {
                        // Valid writes and trims go to the other export only: the good client's export sees none.
                        int len = rnd.nextInt(1, 9) * 512;
                        byte[] data = new byte[len];
                        rnd.nextBytes(data);
                        request(out, rnd.nextBoolean() ? CMD_WRITE : CMD_TRIM, rnd.nextInt(2), i,
                                rnd.nextLong(size / 512 - 8) * 512, len);
                        out.write(data);
                    } else {
                        // A write to the good client's export whose payload the cut may end early; uncut it
                        // would be valid, so it is only ever sent last and always cut short.
                        request(out, CMD_WRITE, 0, i, rnd.nextLong(size / 512 - 8) * 512, 4096);
                        out.write(new byte[rnd.nextInt(0, 4096)]);
                        return bytes.toByteArray();
                    }
                    break;
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] infoLike(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(0, 24)];
        rnd.nextBytes(b);
        return b;
    }

    private static void request(DataOutputStream out, int type, int flags, long handle, long offset, long length)
            throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt((int) length);
    }
}
