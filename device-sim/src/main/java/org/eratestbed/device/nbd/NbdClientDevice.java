package org.eratestbed.device.nbd;

import static org.eratestbed.device.nbd.NbdProtocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * A {@link BlockDevice} on an NBD export: fixed newstyle handshake with NBD_OPT_GO (NBD_OPT_EXPORT_NAME when the
 * server does not know GO), then simple replies matched to requests by handle, so any number of requests may be
 * in flight.
 *
 * <p>Threads: {@link #submit} sends the request on the caller's thread (under a send lock) and returns; one
 * reader thread per device receives replies and runs each bio's completion. A REQ_PREFLUSH write is a FLUSH
 * followed, once the flush replied, by the WRITE (NBD has no preflush); that second send runs on a helper
 * thread so that a completion never blocks the reader.
 *
 * <p>Errors: EIO and every errno but ENOTSUP complete the bio with {@link IoStatus#IOERR}, ENOTSUP with
 * {@link IoStatus#NOTSUPP}. A peer that breaks the protocol (bad magic, an unknown handle, a closed socket)
 * fails every request in flight and every later one with IOERR; {@link #failure()} says why in one line.
 * A bad peer during connect is a {@link BadInputException} with one line.
 */
public final class NbdClientDevice implements BlockDevice {
    private final String name;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long sizeSectors;
    private final int transmissionFlags;
    private final Map<Long, Bio> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong(1);
    private final Object sendLock = new Object();
    private final ExecutorService continuations;
    private final Thread reader;
    private volatile String failure;
    private volatile boolean closing;

    private NbdClientDevice(String name, Socket socket, DataInputStream in, DataOutputStream out, long sizeBytes,
                            int transmissionFlags) {
        this.name = name;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.sizeSectors = sizeBytes / SECTOR_SIZE;
        this.transmissionFlags = transmissionFlags;
        this.continuations = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nbd-client-" + name + "-preflush");
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::readLoop, "nbd-client-" + name + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to {@code host:port} and opens {@code export}.
     *
     * @throws BadInputException when the server cannot be reached, is not an NBD server, or refuses the export
     */
    public static NbdClientDevice connect(String host, int port, String export) {
        String where = "nbd://" + host + ":" + port + "/" + export;
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress(host, port), 10_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            long[] sizeAndFlags = negotiate(in, out, export, where);
            s.setSoTimeout(0);
            NbdClientDevice d = new NbdClientDevice(where, s, in, out, sizeAndFlags[0], (int) sizeAndFlags[1]);
            if (d.sizeSectors == 0) {
                d.close();
                throw new BadInputException(where + ": export of " + sizeAndFlags[0] + " bytes has no whole sector");
            }
            return d;
        } catch (EOFException e) {
            closeQuietly(s);
            throw new BadInputException(where + ": server closed the connection during the handshake");
        } catch (IOException e) {
            closeQuietly(s);
            throw new BadInputException(where + ": " + e.getMessage());
        } catch (BadInputException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** The fixed newstyle handshake; returns {size in bytes, transmission flags}. */
    private static long[] negotiate(DataInputStream in, DataOutputStream out, String export, String where)
            throws IOException {
        long magic = in.readLong();
        if (magic != NBDMAGIC) {
            throw new BadInputException(where + ": not an NBD server (magic 0x" + Long.toHexString(magic) + ")");
        }
        long style = in.readLong();
        if (style != IHAVEOPT) {
            throw new BadInputException(where + ": oldstyle NBD server (0x" + Long.toHexString(style) + "), only newstyle is spoken");
        }
        int serverFlags = in.readUnsignedShort();
        if ((serverFlags & FLAG_FIXED_NEWSTYLE) == 0) {
            throw new BadInputException(where + ": server does not speak fixed newstyle");
        }
        boolean noZeroes = (serverFlags & FLAG_NO_ZEROES) != 0;
        out.writeInt(FLAG_C_FIXED_NEWSTYLE | (noZeroes ? FLAG_C_NO_ZEROES : 0));
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        out.writeLong(IHAVEOPT);
        out.writeInt(OPT_GO);
        out.writeInt(4 + n.length + 2 + 2);
        out.writeInt(n.length);
        out.write(n);
        out.writeShort(1);
        out.writeShort(INFO_BLOCK_SIZE);
        out.flush();
        long size = -1;
        int flags = 0;
        while (true) {
            long replyMagic = in.readLong();
            int option = in.readInt();
            int type = in.readInt();
            long length = in.readInt() & 0xffffffffL;
            if (replyMagic != REPLY_MAGIC || option != OPT_GO || length > MAX_OPTION_LENGTH) {
                throw new BadInputException(where + ": bad option reply (magic 0x" + Long.toHexString(replyMagic)
                        + ", option " + option + ", " + length + " bytes)");
            }
            byte[] data = new byte[(int) length];
            in.readFully(data);
            if (type == REP_INFO) {
                ByteBuffer b = ByteBuffer.wrap(data);
                if (b.remaining() >= 12 && b.getShort(0) == INFO_EXPORT) {
                    size = b.getLong(2);
                    flags = b.getShort(10) & 0xffff;
                }
                // Block size constraints: this client only sends whole, aligned sectors, which every server takes.
                continue;
            }
            if (type == REP_ACK) {
                if (size < 0) {
                    throw new BadInputException(where + ": server acknowledged NBD_OPT_GO without NBD_INFO_EXPORT");
                }
                return new long[] {size, flags};
            }
            if (type == REP_ERR_UNSUP) {
                return exportName(in, out, n, noZeroes, where);
            }
            String message = new String(data, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
            throw new BadInputException(where + ": server refused the export: " + replyName(type)
                    + (message.isEmpty() ? "" : " (" + message + ")"));
        }
    }

    /** Old servers without NBD_OPT_GO: NBD_OPT_EXPORT_NAME, whose refusal is a closed connection. */
    private static long[] exportName(DataInputStream in, DataOutputStream out, byte[] name, boolean noZeroes,
                                     String where) throws IOException {
        out.writeLong(IHAVEOPT);
        out.writeInt(OPT_EXPORT_NAME);
        out.writeInt(name.length);
        out.write(name);
        out.flush();
        long size;
        int flags;
        try {
            size = in.readLong();
            flags = in.readUnsignedShort();
        } catch (EOFException e) {
            throw new BadInputException(where + ": server closed the connection: no such export");
        }
        if (!noZeroes) {
            in.readFully(new byte[124]);
        }
        return new long[] {size, flags};
    }

    @Override
    public long sizeSectors() {
        return sizeSectors;
    }

    @Override
    public String name() {
        return name;
    }

    /** Why the connection failed, in one line; null while it works. */
    public String failure() {
        return failure;
    }

    /** Requests sent and not yet answered. */
    public int inFlight() {
        return inFlight.size();
    }

    public boolean supportsTrim() {
        return (transmissionFlags & TFLAG_SEND_TRIM) != 0;
    }

    @Override
    public void submit(Bio bio) {
        bio.validate(sizeSectors);
        if (bio.op() != BioOp.FLUSH && bio.op() != BioOp.DISCARD && (long) bio.sectors() * SECTOR_SIZE > MAX_PAYLOAD) {
            throw new BadInputException(name + ": " + bio + " is larger than the " + MAX_PAYLOAD + "-byte NBD limit");
        }
        switch (bio.op()) {
            case READ:
                send(bio, CMD_READ, 0, bio.sector(), bio.sectors(), null);
                break;
            case WRITE:
                if (bio.preflush() && (transmissionFlags & TFLAG_SEND_FLUSH) != 0) {
                    // REQ_PREFLUSH: what completed before must be durable before this write is even issued.
                    send(Bio.flush(f -> {
                        if (f.status().ok()) {
                            continuations.execute(() -> sendWrite(bio));
                        } else {
                            bio.complete(f.status());
                        }
                    }), CMD_FLUSH, 0, 0, 0, null);
                } else {
                    sendWrite(bio);
                }
                break;
            case FLUSH:
                if ((transmissionFlags & TFLAG_SEND_FLUSH) == 0) {
                    // A server without flush has no volatile cache: every completed write is durable already.
                    bio.complete(IoStatus.OK);
                } else {
                    send(bio, CMD_FLUSH, 0, 0, 0, null);
                }
                break;
            case DISCARD:
                if (!supportsTrim()) {
                    bio.complete(IoStatus.NOTSUPP);
                } else {
                    send(bio, CMD_TRIM, 0, bio.sector(), bio.sectors(), null);
                }
                break;
            default:
                throw new AssertionError(bio.op());
        }
    }

    private void sendWrite(Bio bio) {
        int flags = bio.fua() && (transmissionFlags & TFLAG_SEND_FUA) != 0 ? CMD_FLAG_FUA : 0;
        send(bio, CMD_WRITE, flags, bio.sector(), bio.sectors(), bio.data());
    }

    private void send(Bio bio, int command, int flags, long sector, int sectors, byte[] payload) {
        long handle = handles.getAndIncrement();
        boolean sent = false;
        boolean registered = false;
        synchronized (sendLock) {
            if (failure == null) {
                inFlight.put(handle, bio);
                registered = true;
                try {
                    out.writeInt(REQUEST_MAGIC);
                    out.writeShort(flags);
                    out.writeShort(command);
                    out.writeLong(handle);
                    out.writeLong(sector * SECTOR_SIZE);
                    out.writeInt(sectors * SECTOR_SIZE);
                    if (payload != null) {
                        out.write(payload);
                    }
                    out.flush();
                    sent = true;
                } catch (IOException e) {
                    fail("send failed: " + e.getMessage());
                }
            }
        }
        // Unsent: fail() completed it if it was registered; otherwise nobody will, so do it here.
        if (!sent && (!registered || inFlight.remove(handle) != null)) {
            completeQuietly(bio, IoStatus.IOERR);
        }
    }

    private void readLoop() {
        try {
            while (true) {
                int magic = in.readInt();
                if (magic != SIMPLE_REPLY_MAGIC) {
                    fail("bad reply magic 0x" + Integer.toHexString(magic));
                    return;
                }
                int error = in.readInt();
                long handle = in.readLong();
                Bio bio = inFlight.remove(handle);
                if (bio == null) {
                    fail("reply for unknown handle " + handle);
                    return;
                }
                if (error == 0 && bio.op() == BioOp.READ) {
                    in.readFully(bio.data());
                }
                bio.complete(error == 0 ? IoStatus.OK : error == ENOTSUP ? IoStatus.NOTSUPP : IoStatus.IOERR);
            }
        } catch (IOException e) {
            fail(closing ? "closed" : e instanceof EOFException ? "server closed the connection" : e.getMessage());
        }
    }

    /** Marks the connection dead and fails every request in flight (once). */
    private void fail(String why) {
        synchronized (sendLock) {
            if (failure == null) {
                failure = name + ": " + why;
            }
        }
        closeQuietly(socket);
        List<Bio> lost = new ArrayList<>();
        for (Long h : new ArrayList<>(inFlight.keySet())) {
            Bio b = inFlight.remove(h);
            if (b != null) {
                lost.add(b);
            }
        }
        for (Bio b : lost) {
            completeQuietly(b, IoStatus.IOERR);
        }
    }

    private static void completeQuietly(Bio bio, IoStatus status) {
        if (!bio.completed()) {
            try {
                bio.complete(status);
            } catch (IllegalStateException raced) {
                // Completed by the reader meanwhile: exactly once holds.
            }
        }
    }

    /**
     * Sends NBD_CMD_DISC, waits (boundedly) for the replies still due, and closes. Requests still unanswered then
     * complete with IOERR.
     */
    @Override
    public void close() {
        synchronized (sendLock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (!inFlight.isEmpty() && failure == null && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (sendLock) {
            if (failure == null) {
                try {
                    out.writeInt(REQUEST_MAGIC);
                    out.writeShort(0);
                    out.writeShort(CMD_DISC);
                    out.writeLong(handles.getAndIncrement());
                    out.writeLong(0);
                    out.writeInt(0);
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException ignored) {
                    // The server left first; closing is all that is left to do.
                }
            }
        }
        fail("closed");
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        continuations.shutdown();
        try {
            continuations.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }

    @Override
    public String toString() {
        return "NbdClientDevice(" + name + ", " + sizeSectors + " sectors)";
    }
}
