package org.eratestbed.model.pdata.tm;

import org.eratestbed.model.pdata.block.Block;

/**
 * The result of {@link TransactionManager#shadowBlock}: the write-locked copy, and whether the caller must
 * increment the reference counts of everything the original points to ({@code inc_children}): true when
 * the original was shared, so a copy now points at the same children too.
 */
public record Shadow(Block block, boolean incChildren) {
}
