package org.eratestbed.stress.jcstress;

import org.eratestbed.model.era.target.RpcFunction;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** The RPC work shared by the handshake tests. */
final class RpcStress {
    /** A call that succeeds by itself; its result is then decided by the batch's commit. */
    static final RpcFunction NOTHING = () -> { };

    /**
     * One preallocated exception: the commit fails on every sample without paying for a stack trace each
     * time, which would slow the worker actor and thin out the races.
     */
    private static final MetadataException COMMIT_EIO = new MetadataException(Errno.EIO, "metadata commit failed");

    /** metadata_commit failing with -EIO, so the worker's result (-5) differs from the initial one (0). */
    static final RpcFunction FAILING_COMMIT = () -> {
        throw COMMIT_EIO;
    };

    private RpcStress() {
    }
}
