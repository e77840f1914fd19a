package org.eratestbed.fault.kernel;

/**
 * The host's NBD server as the guest sees it: named exports on 127.0.0.1 (10.0.2.2 from inside the guest),
 * whose content the host can read at any moment — that is how {@code invalidate} and the final image see the
 * metadata "as it is on disk", with the same reader as the model.
 */
public interface NbdExports extends AutoCloseable {
    /** The TCP port on 127.0.0.1. */
    int port();

    /** Makes an export of {@code sizeBytes}, zeroed, or starting with {@code content} (null: zeroed). */
    void create(String name, long sizeBytes, byte[] content);

    /** The export's whole content as the server holds it now. */
    byte[] read(String name);

    /** Drops an export no client uses any more. */
    void delete(String name);

    @Override
    void close();
}
