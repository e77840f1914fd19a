package org.eratestbed.device.nbd;

import static org.eratestbed.device.nbd.NbdProtocol.*;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-driven NBD peer for tests: sends exactly the bytes asked for, well-formed or not. */
final class RawNbd implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    record OptionReply(int option, int type, byte[] data) {
    }

    record Reply(int magic, int error, long handle) {
    }

    RawNbd(int port) throws IOException {
        socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Reads the server's greeting and answers with fixed newstyle + no zeroes. */
    RawNbd greet() throws IOException {
        if (in.readLong() != NBDMAGIC || in.readLong() != IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        in.readUnsignedShort();
        out.writeInt(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
        return this;
    }

    void option(int option, byte[] data) throws IOException {
        out.writeLong(IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    OptionReply optionReply() throws IOException {
        if (in.readLong() != REPLY_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    static byte[] goData(String export) {
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(4 + n.length + 2).putInt(n.length).put(n).putShort((short) 0).array();
    }

    /** Greets and opens {@code export} with NBD_OPT_GO; returns the export's size. */
    RawNbd go(String export) throws IOException {
        greet();
        option(OPT_GO, goData(export));
        long size = -1;
        while (true) {
            OptionReply r = optionReply();
            if (r.type() == REP_ACK) {
                break;
            }
            if (r.type() != REP_INFO) {
                throw new IOException("GO refused: " + replyName(r.type()));
            }
        }
        return this;
    }

    void request(int type, int flags, long handle, long offset, long length, byte[] payload) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt((int) length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    Reply reply() throws IOException {
        return new Reply(in.readInt(), in.readInt(), in.readLong());
    }

    /** True when the server closed the connection (a read sees end of stream or a reset). */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // whatever the server still had to say (a greeting, replies) comes first
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
