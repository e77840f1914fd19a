package org.eratestbed.fault.kernel;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Exports served by nbdkit's file plugin from a private folder: each file is an export of its own name.
 * Writes reach the file before nbdkit answers them, so reading the file reads what the guest's kernel has
 * written so far (not what it still holds in its buffers).
 */
public final class NbdkitExports implements NbdExports {
    private final Path dir;
    private final Process nbdkit;
    private final int port;

    public NbdkitExports() {
        Path bin = HostTools.require("nbdkit");
        try {
            dir = Files.createTempDirectory("era-testbed-nbd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KernelException last = null;
        // A free port is only free until someone takes it: try a few.
        for (int attempt = 0; attempt < 5; attempt++) {
            int p = freePort();
            Process proc = start(bin, p);
            if (awaitListening(proc, p)) {
                nbdkit = proc;
                port = p;
                return;
            }
            proc.destroyForcibly();
            last = new KernelException("nbdkit did not start listening on 127.0.0.1:" + p);
        }
        deleteDir();
        throw last;
    }

    private Process start(Path bin, int p) {
        try {
            return new ProcessBuilder(bin.toString(), "-f", "--exit-with-parent", "-i", "127.0.0.1", "-p",
                    Integer.toString(p), "file", "dir=" + dir)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new KernelException("cannot start nbdkit: " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean awaitListening(Process proc, int p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && proc.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 200);
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void create(String name, long sizeBytes, byte[] content) {
        try (RandomAccessFile f = new RandomAccessFile(file(name).toFile(), "rw")) {
            // A sparse file reads as zeros: the metadata device must start zeroed for dm-era to format it.
            f.setLength(0);
            f.setLength(sizeBytes);
            if (content != null) {
                f.write(content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] read(String name) {
        try {
            return Files.readAllBytes(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad export name " + name);
        }
        return dir.resolve(name);
    }

    @Override
    public void close() {
        nbdkit.destroyForcibly();
        try {
            nbdkit.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteDir();
    }

    private void deleteDir() {
        try {
            KernelSetup.deleteTree(dir);
        } catch (IOException e) {
            // A temp folder left behind is harmless.
        }
    }
}
