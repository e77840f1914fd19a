package org.eratestbed.device.nbd;

import static org.eratestbed.device.nbd.NbdProtocol.*;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;

/**
 * One client of an {@link NbdServer}: the reader thread negotiates, then parses requests and submits bios; the
 * writer thread sends replies as bios complete. A request is submitted only once it was read whole, so a peer
 * that disconnects mid-request never leaves a partial write on the export.
 */
final class NbdConnection {
    /** Time a peer has for each read of the handshake: an idle connection must not hold a slot for ever. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private static final Reply POISON = new Reply(0, 0, null, null);

    private final NbdServer server;
    private final Socket socket;
    private final long id;
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final Semaphore inFlight = new Semaphore(NbdServer.MAX_IN_FLIGHT);
    private final Thread reader;
    private volatile Thread writer;
    private volatile boolean broken;
    private DataInputStream in;
    private DataOutputStream out;

    private record Reply(long handle, int error, byte[] data, NbdRequestEvent event) {
    }

    /** Thrown inside the reader when the peer breaks the protocol so badly that the connection must close. */
    private static final class Hangup extends Exception {
        private static final long serialVersionUID = 1L;
        /** Replies already queued (e.g. the EINVAL that explains the hang-up) are sent before closing. */
        final boolean answerFirst;

        Hangup(String why) {
            this(why, false);
        }

        Hangup(String why, boolean answerFirst) {
            super(why, null, false, false);
            this.answerFirst = answerFirst;
        }
    }

    NbdConnection(NbdServer server, Socket socket, long id) {
        this.server = server;
        this.socket = socket;
        this.id = id;
        this.reader = new Thread(this::run, server.threadPrefix() + "conn-" + id + "-reader");
        reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    /** Closes the socket: both threads see it fail and end. */
    void abort() {
        broken = true;
        NbdServer.closeQuietly(socket);
    }

    void join() {
        NbdServer.join(reader);
        NbdServer.join(writer);
    }

    /** Both threads have ended (the writer is always joined before the reader ends). */
    boolean terminated() {
        Thread w = writer;
        return reader.getState() == Thread.State.TERMINATED && (w == null || !w.isAlive());
    }

    private void run() {
        boolean graceful = false;
        try {
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            String export = handshake();
            socket.setSoTimeout(0);
            writer = new Thread(this::writeLoop, server.threadPrefix() + "conn-" + id + "-writer");
            writer.setDaemon(true);
            writer.start();
            transmission(export, server.device(export));
            graceful = true;
        } catch (Hangup e) {
            graceful = e.answerFirst;
        } catch (IOException | RuntimeException e) {
            // The peer went away or broke the protocol: this connection ends, the others go on.
        } finally {
            finish(graceful);
        }
    }

    /**
     * Replies in flight are written before a graceful close (NBD_CMD_DISC); after a protocol error the socket
     * closes first, so a peer that stopped reading cannot hold the writer.
     */
    private void finish(boolean graceful) {
        if (!graceful) {
            abort();
        }
        try {
            // Device completions still due must land in the queue before the poison pill.
            inFlight.tryAcquire(NbdServer.MAX_IN_FLIGHT, NbdServer.JOIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread w = writer;
        if (w != null) {
            replies.add(POISON);
            NbdServer.join(w);
        }
        abort();
        if (w != null) {
            NbdServer.join(w);
        }
        server.ended(this);
    }

    // ---- handshake -------------------------------------------------------------------------------------------

    private String handshake() throws IOException, Hangup {
        out.writeLong(NBDMAGIC);
        out.writeLong(IHAVEOPT);
        out.writeShort(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        out.flush();
        int clientFlags = in.readInt();
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            throw new Hangup("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        boolean fixed = (clientFlags & FLAG_C_FIXED_NEWSTYLE) != 0;
        boolean noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            if (in.readLong() != IHAVEOPT) {
                throw new Hangup("bad option magic");
            }
            int option = in.readInt();
            long length = in.readInt() & 0xffffffffL;
            if (length > MAX_OPTION_LENGTH) {
                throw new Hangup("option of " + length + " bytes");
            }
            byte[] data = new byte[(int) length];
            in.readFully(data);
            switch (option) {
                case OPT_EXPORT_NAME: {
                    String name = new String(data, StandardCharsets.UTF_8);
                    BlockDevice d = server.device(name);
                    if (d == null) {
                        // EXPORT_NAME has no error reply: the spec's answer to an unknown name is to hang up.
                        throw new Hangup("unknown export " + name);
                    }
                    out.writeLong(d.sizeSectors() * BlockDevice.SECTOR_SIZE);
                    out.writeShort(transmissionFlags());
                    if (!noZeroes) {
                        out.write(new byte[124]);
                    }
                    out.flush();
                    return name;
                }
                case OPT_ABORT:
                    optionReply(option, REP_ACK, new byte[0]);
                    throw new Hangup("client aborted");
                case OPT_LIST:
                    if (length != 0) {
                        optionError(option, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
                        break;
                    }
                    for (String name : server.exportNames()) {
                        byte[] n = name.getBytes(StandardCharsets.UTF_8);
                        optionReply(option, REP_SERVER, ByteBuffer.allocate(4 + n.length).putInt(n.length).put(n).array());
                    }
                    optionReply(option, REP_ACK, new byte[0]);
                    break;
                case OPT_INFO:
                case OPT_GO: {
                    String name = infoOrGo(option, data);
                    if (name != null && option == OPT_GO) {
                        return name;
                    }
                    break;
                }
                default:
                    if (!fixed) {
                        throw new Hangup("unknown option " + option + " from a client without fixed newstyle");
                    }
                    // STARTTLS, STRUCTURED_REPLY, meta contexts, extended headers and the unknown alike.
                    optionError(option, REP_ERR_UNSUP, "option " + option + " not supported");
                    break;
            }
        }
    }

    /** Answers NBD_OPT_INFO / NBD_OPT_GO; returns the export's name when it was granted, else null. */
    private String infoOrGo(int option, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        if (b.remaining() < 6) {
            optionError(option, REP_ERR_INVALID, "option too short");
            return null;
        }
        long nameLength = b.getInt() & 0xffffffffL;
        if (nameLength > b.remaining() - 2) {
            optionError(option, REP_ERR_INVALID, "name length past the option's end");
            return null;
        }
        byte[] n = new byte[(int) nameLength];
        b.get(n);
        int requests = b.getShort() & 0xffff;
        if (b.remaining() != 2 * requests) {
            optionError(option, REP_ERR_INVALID, "information request count does not match the option's length");
            return null;
        }
        String name = new String(n, StandardCharsets.UTF_8);
        BlockDevice d = server.device(name);
        if (d == null) {
            optionError(option, REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return null;
        }
        optionReply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT)
                .putLong(d.sizeSectors() * BlockDevice.SECTOR_SIZE).putShort((short) transmissionFlags()).array());
        // Always sent (the spec allows it unasked): requests must be whole sectors, as the device is addressed in them.
        optionReply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
                .putInt(BlockDevice.SECTOR_SIZE).putInt(4096).putInt(MAX_PAYLOAD).array());
        optionReply(option, REP_ACK, new byte[0]);
        return name;
    }

    private static int transmissionFlags() {
        return TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA | TFLAG_SEND_TRIM;
    }

    private void optionReply(int option, int type, byte[] data) throws IOException {
        out.writeLong(REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    private void optionError(int option, int type, String message) throws IOException {
        optionReply(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    // ---- transmission ----------------------------------------------------------------------------------------

    private void transmission(String export, BlockDevice device) throws IOException, Hangup {
        long sizeBytes = device.sizeSectors() * BlockDevice.SECTOR_SIZE;
        while (true) {
            int magic = in.readInt();
            if (magic != REQUEST_MAGIC) {
                throw new Hangup("bad request magic 0x" + Integer.toHexString(magic));
            }
            int flags = in.readUnsignedShort();
            int type = in.readUnsignedShort();
            long handle = in.readLong();
            long offset = in.readLong();
            long length = in.readInt() & 0xffffffffL;
            if (type == CMD_DISC) {
                return;
            }
            // A write's payload is read whole before anything else: one cut short holds no slot and reaches nothing.
            byte[] data = null;
            if (type == CMD_WRITE && length <= MAX_PAYLOAD) {
                data = new byte[(int) length];
                in.readFully(data);
            }
            acquireSlot();
            NbdRequestEvent event = new NbdRequestEvent(id, export, type, flags, offset, length, 0);
            switch (type) {
                case CMD_WRITE: {
                    if (data == null) {
                        // The payload cannot be skipped safely: refuse it and hang up.
                        reply(handle, EINVAL, null, event);
                        throw new Hangup("write of " + length + " bytes", true);
                    }
                    if (!inRange(offset, length, sizeBytes)) {
                        reply(handle, EINVAL, null, event);
                        break;
                    }
                    boolean fua = (flags & CMD_FLAG_FUA) != 0;
                    submit(device, Bio.write(offset >> 9, data, fua, bio -> completed(bio, handle, event)), handle, event);
                    break;
                }
                case CMD_READ:
                    if (length > MAX_PAYLOAD || !inRange(offset, length, sizeBytes)) {
                        reply(handle, EINVAL, null, event);
                        break;
                    }
                    submit(device, Bio.read(offset >> 9, new byte[(int) length], bio -> completed(bio, handle, event)),
                            handle, event);
                    break;
                case CMD_FLUSH:
                    submit(device, Bio.flush(bio -> completed(bio, handle, event)), handle, event);
                    break;
                case CMD_TRIM: {
                    if (offset < 0 || length == 0 || offset > sizeBytes - length) {
                        reply(handle, EINVAL, null, event);
                        break;
                    }
                    // A trim is advisory: the whole sectors inside the range are discarded, partial ones kept.
                    long first = (offset + BlockDevice.SECTOR_SIZE - 1) >> 9;
                    long end = (offset + length) >> 9;
                    if (end <= first) {
                        reply(handle, 0, null, event);
                        break;
                    }
                    submit(device, Bio.discard(first, (int) (end - first), bio -> completed(bio, handle, event)),
                            handle, event);
                    break;
                }
                default:
                    reply(handle, EINVAL, null, event);
                    break;
            }
        }
    }

    private static boolean inRange(long offset, long length, long sizeBytes) {
        return offset >= 0 && length > 0 && (offset & (BlockDevice.SECTOR_SIZE - 1)) == 0
                && (length & (BlockDevice.SECTOR_SIZE - 1)) == 0 && offset <= sizeBytes - length;
    }

    /** Waits for a free in-flight slot: a peer that does not read its replies stalls here, alone. */
    private void acquireSlot() throws Hangup {
        try {
            while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (broken) {
                    throw new Hangup("connection closed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Hangup("interrupted");
        }
    }

    private void submit(BlockDevice device, Bio bio, long handle, NbdRequestEvent event) {
        try {
            device.submit(bio);
        } catch (RuntimeException e) {
            // A device that refuses a request we checked is broken; the client hears EIO, the slot is returned.
            if (!bio.completed()) {
                reply(handle, EIO, null, event);
            }
        }
    }

    private void completed(Bio bio, long handle, NbdRequestEvent event) {
        int error = bio.status() == IoStatus.OK ? 0 : bio.status() == IoStatus.NOTSUPP ? ENOTSUP : EIO;
        reply(handle, error, error == 0 && bio.op() == org.eratestbed.device.BioOp.READ ? bio.data() : null, event);
    }

    private void reply(long handle, int error, byte[] data, NbdRequestEvent event) {
        replies.add(new Reply(handle, error, data, new NbdRequestEvent(event.connection(), event.export(),
                event.command(), event.flags(), event.offset(), event.length(), error)));
    }

    private void writeLoop() {
        while (true) {
            Reply r;
            try {
                r = replies.take();
            } catch (InterruptedException e) {
                // Only close() interrupts nobody; still, a writer must not die holding slots: treat as broken.
                broken = true;
                continue;
            }
            if (r == POISON) {
                return;
            }
            if (!broken) {
                try {
                    out.writeInt(SIMPLE_REPLY_MAGIC);
                    out.writeInt(r.error());
                    out.writeLong(r.handle());
                    if (r.data() != null) {
                        out.write(r.data());
                    }
                    if (replies.isEmpty()) {
                        out.flush();
                    }
                } catch (IOException e) {
                    abort();
                }
            }
            inFlight.release();
            try {
                server.listener().requestDone(r.event());
            } catch (RuntimeException e) {
                // A caller's hook must not take the connection down.
            }
        }
    }
}
