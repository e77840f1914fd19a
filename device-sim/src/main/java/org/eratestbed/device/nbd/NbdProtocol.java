package org.eratestbed.device.nbd;

/**
 * The numbers of the NBD protocol (fixed newstyle handshake, simple replies) as the NBD spec
 * ({@code doc/proto.md} of the nbd project) defines them. Only what the server and client here speak.
 */
public final class NbdProtocol {
    private NbdProtocol() {
    }

    /** "NBDMAGIC": the first 8 bytes a server sends. */
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    /** "IHAVEOPT": newstyle negotiation; also the magic in front of every option a client sends. */
    public static final long IHAVEOPT = 0x49484156454f5054L;
    /** Magic in front of every option reply. */
    public static final long REPLY_MAGIC = 0x3e889045565a9L;
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // Handshake flags (server) and client flags.
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 2;
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    public static final int FLAG_C_NO_ZEROES = 2;

    // Options.
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;

    // Option reply types.
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_FLAG_ERROR = 1 << 31;
    public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;

    // NBD_INFO types inside NBD_REP_INFO.
    public static final int INFO_EXPORT = 0;
    public static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags.
    public static final int TFLAG_HAS_FLAGS = 1;
    public static final int TFLAG_READ_ONLY = 1 << 1;
    public static final int TFLAG_SEND_FLUSH = 1 << 2;
    public static final int TFLAG_SEND_FUA = 1 << 3;
    public static final int TFLAG_SEND_TRIM = 1 << 5;

    // Commands and command flags.
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_FLAG_FUA = 1;

    // Errors in simple replies (Linux errno values, as the spec fixes them).
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    /**
     * The largest READ or WRITE payload either side accepts: 32 MiB, the limit the spec tells clients they may
     * rely on when the server states none, and what this server advertises as its maximum block size.
     */
    public static final int MAX_PAYLOAD = 32 << 20;
    /** Longest option payload the server reads (names are short; anything larger is hostile). */
    public static final int MAX_OPTION_LENGTH = 4096;

    public static String commandName(int type) {
        switch (type) {
            case CMD_READ: return "READ";
            case CMD_WRITE: return "WRITE";
            case CMD_DISC: return "DISC";
            case CMD_FLUSH: return "FLUSH";
            case CMD_TRIM: return "TRIM";
            default: return "CMD_" + type;
        }
    }

    public static String replyName(int type) {
        switch (type) {
            case REP_ACK: return "ACK";
            case REP_SERVER: return "SERVER";
            case REP_INFO: return "INFO";
            case REP_ERR_UNSUP: return "ERR_UNSUP";
            case REP_ERR_POLICY: return "ERR_POLICY";
            case REP_ERR_INVALID: return "ERR_INVALID";
            case REP_ERR_PLATFORM: return "ERR_PLATFORM";
            case REP_ERR_TLS_REQD: return "ERR_TLS_REQD";
            case REP_ERR_UNKNOWN: return "ERR_UNKNOWN";
            case REP_ERR_SHUTDOWN: return "ERR_SHUTDOWN";
            case REP_ERR_TOO_BIG: return "ERR_TOO_BIG";
            default: return "reply type 0x" + Integer.toHexString(type);
        }
    }

    public static String errnoName(int error) {
        switch (error) {
            case 0: return "OK";
            case EPERM: return "EPERM";
            case EIO: return "EIO";
            case ENOMEM: return "ENOMEM";
            case EINVAL: return "EINVAL";
            case ENOSPC: return "ENOSPC";
            case EOVERFLOW: return "EOVERFLOW";
            case ENOTSUP: return "ENOTSUP";
            case ESHUTDOWN: return "ESHUTDOWN";
            default: return "errno " + error;
        }
    }
}
