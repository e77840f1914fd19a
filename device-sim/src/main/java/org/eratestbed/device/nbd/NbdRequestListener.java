package org.eratestbed.device.nbd;

/**
 * Sees every transmission request an {@link NbdServer} answers, after its reply is decided (so {@code error}
 * is what the client is told). Called on the connection's writer thread once the reply is sent (or dropped because the peer left); must be quick and thread-safe.
 * A {@code SimDisk}'s own I/O log already holds every write and flush that reached the device; this hook adds
 * what the log cannot show: which connection asked, and the requests the server refused before the device.
 */
@FunctionalInterface
public interface NbdRequestListener {
    void requestDone(NbdRequestEvent event);
}
