package org.eratestbed.device;

/**
 * A block device addressed in 512-byte sectors, with the request semantics dm-era relies on:
 * READ, WRITE (optionally FUA and/or PREFLUSH), FLUSH (an empty preflush) and DISCARD.
 *
 * <p>Submission is asynchronous: {@link #submit(Bio)} returns at once and the bio's completion runs
 * exactly once, either before {@code submit} returns or later, when the device (or whoever drives it,
 * e.g. the deterministic scheduler) decides. Callers must not assume either, because the interesting
 * bugs live in the window where a write is in flight while other things happen.
 *
 * <p>Bad requests (negative sector, past the end, a buffer whose length is not the request's) are
 * rejected by {@link Bio#validate(long)} with {@link BadInputException} before anything touches the medium.
 */
public interface BlockDevice extends AutoCloseable {
    int SECTOR_SIZE = 512;
    int SECTOR_SHIFT = 9;

    /** Size of the device in sectors. */
    long sizeSectors();

    /** Submit a request; its completion runs exactly once. */
    void submit(Bio bio);

    /** A short human-readable name for messages and logs. */
    default String name() {
        return getClass().getSimpleName();
    }

    @Override
    default void close() {
    }
}
