package org.eratestbed.device;

/**
 * A device whose requests complete only when someone drives it (e.g. a queued {@code SimDisk} under the
 * deterministic scheduler). {@link SyncIo} asks it before waiting, so that a thread waiting for a completion
 * only it could cause fails at once instead of hanging.
 */
public interface DrivenDevice {
    /** True when requests on this device complete only if {@code thread} itself completes them. */
    boolean completesOnlyWhenDrivenBy(Thread thread);
}
