package org.eratestbed.device;

/** The request types of the block layer that dm-era sees. */
public enum BioOp {
    READ,
    WRITE,
    /** An empty flush: REQ_PREFLUSH with no data. Completes when every write completed before it is durable. */
    FLUSH,
    DISCARD
}
