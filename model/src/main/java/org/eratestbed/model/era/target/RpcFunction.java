package org.eratestbed.model.era.target;

/**
 * The work an RPC asks the worker to do on the era metadata: the kernel's {@code fn0(md)} / {@code fn1(md,
 * arg)}, with the metadata and argument captured by the lambda. A failure is a thrown
 * {@link org.eratestbed.model.pdata.MetadataException}; the worker turns it into the RPC's negative errno.
 */
@FunctionalInterface
public interface RpcFunction {
    void call();
}
