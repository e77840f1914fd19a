/**
 * dm-bitset in the kernel's on-disk format (persistent-data/dm-bitset.c): {@link
 * org.eratestbed.model.pdata.bitset.DiskBitset} (struct dm_disk_bitset, with the one-word write-back cache
 * behind defect 2524933307fd), {@link org.eratestbed.model.pdata.bitset.DmBitset} (empty, newBitset,
 * resize, del, flush, setBit, clearBit, testBit) and {@link org.eratestbed.model.pdata.bitset.BitsetCursor}.
 */
package org.eratestbed.model.pdata.bitset;
