package org.eratestbed.device.nbd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.SimDisk;

/**
 * An NBD server on 127.0.0.1 that exports {@link BlockDevice}s by name (fixed newstyle handshake; simple
 * replies only). Export a {@link SimDisk} built with a log to record every request a client (a kernel's nbd
 * driver, qemu, libnbd) makes.
 *
 * <p>Thread model: one acceptor thread; per connection one reader thread (handshake, then request parsing and
 * submission) and one writer thread (replies, in completion order). A slow or stuck client only stalls its own
 * two threads: at most {@link #MAX_IN_FLIGHT} requests per connection are outstanding, then its reader waits
 * for its writer. Every thread is a daemon, named {@code nbd-<port>-...}, and ends when its socket closes;
 * {@link #close()} closes every socket and joins every thread.
 *
 * <p>Devices must complete requests by themselves: the server never drives completions, so a
 * {@link SimDisk.Completion#QUEUED} disk (whose driver would have to call complete) is refused.
 */
public final class NbdServer implements AutoCloseable {
    /** Requests a connection may have submitted and not yet replied to. */
    public static final int MAX_IN_FLIGHT = 64;
    /** Connections served at once; more are accepted and closed at once, so a flood cannot exhaust threads. */
    public static final int MAX_CONNECTIONS = 64;
    static final long JOIN_MILLIS = 5000;

    private final Map<String, BlockDevice> exports = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    /**
     * Connections that called {@link #ended} from their reader thread: that thread still runs its last lines
     * after it, so close() must join it too or a caller sees a server thread outlive close().
     */
    private final Set<NbdConnection> ending = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong connectionsServed = new AtomicLong();
    private volatile NbdRequestListener listener = e -> { };
    private ServerSocket socket;
    private Thread acceptor;
    private volatile boolean closed;
    private volatile String threadPrefix = "nbd-";

    /** Adds an export; names are what a client passes to OPT_GO / EXPORT_NAME (e.g. {@code nbd-client -N meta}). */
    public synchronized NbdServer export(String name, BlockDevice device) {
        if (name == null || name.length() > NbdProtocol.MAX_OPTION_LENGTH - 6) {
            throw new IllegalArgumentException("bad export name: " + name);
        }
        if (device instanceof SimDisk d && d.completion() == SimDisk.Completion.QUEUED) {
            throw new IllegalArgumentException("export '" + name + "': " + d + " completes only when driven; the NBD "
                    + "server needs a device that completes by itself (an IMMEDIATE SimDisk)");
        }
        if (device.sizeSectors() <= 0) {
            throw new IllegalArgumentException("export '" + name + "' has no sectors");
        }
        if (exports.putIfAbsent(name, device) != null) {
            throw new IllegalArgumentException("export '" + name + "' exists already");
        }
        return this;
    }

    /** Sets the hook that sees every answered request (replaces the previous one). */
    public NbdServer listener(NbdRequestListener l) {
        this.listener = l == null ? e -> { } : l;
        return this;
    }

    /** Starts listening on 127.0.0.1:{@code port}; 0 lets the kernel pick a free port (see {@link #port()}). */
    public synchronized NbdServer start(int port) throws IOException {
        if (socket != null) {
            throw new IllegalStateException("NBD server started already");
        }
        if (exports.isEmpty()) {
            throw new IllegalStateException("NBD server has no export");
        }
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        threadPrefix = "nbd-" + s.getLocalPort() + "-";
        acceptor = new Thread(this::acceptLoop, threadPrefix + "accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    /** The port listened on (the one the kernel picked when started with 0). */
    public synchronized int port() {
        if (socket == null) {
            throw new IllegalStateException("NBD server not started");
        }
        return socket.getLocalPort();
    }

    public String uri(String export) {
        return "nbd://127.0.0.1:" + port() + "/" + export;
    }

    public BlockDevice device(String export) {
        return exports.get(export);
    }

    public List<String> exportNames() {
        synchronized (exports) {
            return List.copyOf(exports.keySet());
        }
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Connections accepted and served (handed a reader thread) since start. */
    public long connectionsServed() {
        return connectionsServed.get();
    }

    /** Every thread of this server is named {@code nbd-<port>-...}. */
    String threadPrefix() {
        return threadPrefix;
    }

    NbdRequestListener listener() {
        return listener;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (closed || socket.isClosed()) {
                    return;
                }
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS || closed) {
                closeQuietly(client);
                continue;
            }
            try {
                client.setTcpNoDelay(true);
            } catch (SocketException e) {
                closeQuietly(client);
                continue;
            }
            NbdConnection c = new NbdConnection(this, client, connectionIds.incrementAndGet());
            connections.add(c);
            connectionsServed.incrementAndGet();
            if (closed) {
                c.abort();
            }
            c.start();
        }
    }

    void ended(NbdConnection c) {
        ending.removeIf(NbdConnection::terminated);
        ending.add(c);
        connections.remove(c);
        afterEnded.run();
    }

    /** Runs on a reader thread after it left the set of connections; tests widen that window with it. */
    volatile Runnable afterEnded = () -> { };

    /** Stops accepting, closes every connection and waits for every server thread to end. */
    @Override
    public void close() {
        Thread acc;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            acc = acceptor;
            if (socket != null) {
                closeQuietly(socket);
            }
        }
        join(acc);
        List<NbdConnection> open = new ArrayList<>(connections);
        for (NbdConnection c : open) {
            c.abort();
        }
        for (NbdConnection c : open) {
            c.join();
        }
        for (NbdConnection c : new ArrayList<>(ending)) {
            c.join();
        }
        ending.clear();
    }

    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing a socket that failed already: nothing left to release.
        }
    }
}
