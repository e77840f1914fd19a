package org.eratestbed.device.nbd;

/**
 * One answered NBD request: the connection (numbered from 1 per server), the export, the command as sent, and
 * the errno the reply carried (0 for success).
 */
public record NbdRequestEvent(long connection, String export, int command, int flags, long offset, long length,
                              int error) {
    public String commandName() {
        return NbdProtocol.commandName(command);
    }

    @Override
    public String toString() {
        return "#" + connection + " " + export + " " + commandName() + ((flags & NbdProtocol.CMD_FLAG_FUA) != 0 ? " FUA" : "")
                + " " + Long.toUnsignedString(offset) + "+" + length + " -> " + NbdProtocol.errnoName(error);
    }
}
