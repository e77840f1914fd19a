package org.eratestbed.model.dm;

/** status_type_t. */
public enum StatusType {
    INFO, TABLE, IMA
}
