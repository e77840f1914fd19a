package org.eratestbed.model.pdata.array;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * An error the kernel returns after it has already stored a new root through {@code new_root}: for example
 * dm_array_set_value shadows the path to the array block, sets {@code *new_root}, and only then finds the
 * index past nr_entries (-ENODATA). A kernel caller that passes the same variable as root and new_root (as
 * dm-era does for its era array and bitsets) ends up holding the new root although the call failed; a model
 * caller that mirrors it adopts {@link #newRoot()}. The old root may no longer be safe to use: shadowing it
 * dropped its reference.
 */
public final class RootMovedException extends MetadataException {
    private static final long serialVersionUID = 1L;
    private final long newRoot;

    public RootMovedException(Errno errno, String message, long newRoot) {
        super(errno, message);
        this.newRoot = newRoot;
    }

    public RootMovedException(MetadataException cause, long newRoot) {
        super(cause.errno(), cause.getMessage(), cause);
        this.newRoot = newRoot;
    }

    public long newRoot() {
        return newRoot;
    }
}
