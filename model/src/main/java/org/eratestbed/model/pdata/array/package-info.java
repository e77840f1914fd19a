/**
 * dm-array in the kernel's on-disk format (persistent-data/dm-array.c): {@link
 * org.eratestbed.model.pdata.array.DmArray} (empty, resize, newArray, del, getValue, setValue, walk,
 * visitArrayBlocks), {@link org.eratestbed.model.pdata.array.ArrayCursor}, the array block layout and
 * validator, and {@link org.eratestbed.model.pdata.array.RootMovedException} for the calls that store a new
 * root before they fail.
 */
package org.eratestbed.model.pdata.array;
