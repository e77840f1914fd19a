package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.nbd.NbdClientDevice;
import org.eratestbed.device.sim.IoLog;
import org.eratestbed.device.sim.IoLogFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code era-testbed nbd serve}: serves until interrupted, then writes each export's I/O log and image. */
class NbdCommandTest {
    @TempDir
    Path tmp;

    @Test
    void serveUntilInterruptedThenWriteLogsAndImages() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Path logs = tmp.resolve("logs");
        Thread serve = new Thread(() -> code.set(EraTestbed.execute(new String[] {"nbd", "serve", "--port", "0",
                "--export", "meta=1M", "--export", "origin=4M", "--log", logs.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true))), "test-nbd-serve");
        serve.start();
        int port = -1;
        Pattern p = Pattern.compile("nbd://127\\.0\\.0\\.1:([0-9]+)/meta");
        for (int i = 0; i < 500 && port < 0; i++) {
            Matcher m = p.matcher(out.toString());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                Thread.sleep(10);
            }
        }
        assertTrue(port > 0, "no port announced: " + out + err);
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5a);
        try (NbdClientDevice meta = NbdClientDevice.connect("127.0.0.1", port, "meta");
             NbdClientDevice origin = NbdClientDevice.connect("127.0.0.1", port, "origin")) {
            assertEquals(2048, meta.sizeSectors());
            assertEquals(8192, origin.sizeSectors());
            SyncIo io = new SyncIo(meta);
            io.write(16, data, true);
            io.flush();
        }
        serve.interrupt();
        serve.join(10_000);
        assertFalse(serve.isAlive());
        assertEquals(0, code.get(), err.toString());
        IoLog log = IoLogFile.read(logs.resolve("meta.iolog"));
        assertTrue(log.records().stream().anyMatch(r -> r.op() == BioOp.WRITE && r.sector() == 16 && r.fua()), log.toText());
        assertTrue(log.records().stream().anyMatch(r -> r.op() == BioOp.FLUSH));
        byte[] image = Files.readAllBytes(logs.resolve("meta.img"));
        assertEquals(1 << 20, image.length);
        assertArrayEquals(data, Arrays.copyOfRange(image, 16 * 512, 16 * 512 + 4096));
        assertEquals(4 << 20, Files.size(logs.resolve("origin.img")));
        assertTrue(Files.exists(logs.resolve("origin.iolog")));
    }

    @Test
    void badOptionsAreExitTwoWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String[][] bad = {
                {"nbd"},
                {"nbd", "serve", "--size", "12Q"},
                {"nbd", "serve", "--size", "1000"},
                {"nbd", "serve", "--size", "0"},
                {"nbd", "serve", "--export", "=4M"},
                {"nbd", "serve", "--export", "a/b=4M"},
                {"nbd", "serve", "--export", "a=1M", "--export", "a=2M"},
                {"nbd", "serve", "--port", "70000"},
                {"nbd", "serve", "--port", "x"},
                {"nbd", "serve", "--port", Integer.toString(taken.getLocalPort())},
            };
            for (String[] args : bad) {
                EraTestbedTest.Run r = EraTestbedTest.run(args);
                assertEquals(2, r.code(), String.join(" ", args) + ": " + r.out() + r.err());
                assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + ": " + r.err());
                assertFalse(r.err().contains("Exception"), r.err());
            }
        }
    }

    @Test
    void sizesParse() {
        assertEquals(131072, NbdCommand.Serve.parseSize("64M", "x"));
        assertEquals(16384, NbdCommand.Serve.parseSize("8MiB", "x"));
        assertEquals(1, NbdCommand.Serve.parseSize("512", "x"));
        assertEquals(2097152, NbdCommand.Serve.parseSize("1g", "x"));
    }
}
