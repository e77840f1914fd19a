package org.eratestbed.model.dm;

/** What a target's map function did with a bio (DM_MAPIO_*). */
public enum MapResult {
    /** DM_MAPIO_REMAPPED: dm core submits the clone to the device the target pointed it at. */
    REMAPPED,
    /** DM_MAPIO_SUBMITTED: the target owns the clone now and will submit or end it itself. */
    SUBMITTED,
    /** DM_MAPIO_KILL: end the clone with an I/O error. */
    KILL
}
