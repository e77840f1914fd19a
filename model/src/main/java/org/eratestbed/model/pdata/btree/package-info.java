/**
 * dm-btree in the kernel's on-disk format (persistent-data/dm-btree*.c): {@link
 * org.eratestbed.model.pdata.btree.BTree} (empty, del, lookup, lookupNext, insert, insertNotify, remove,
 * findLowestKey, findHighestKey, walk, getOverwriteLeaf, visitNodes), {@link
 * org.eratestbed.model.pdata.btree.BTreeCursor}, the node layout ({@link
 * org.eratestbed.model.pdata.btree.BTreeNode}) and validator ({@link
 * org.eratestbed.model.pdata.btree.NodeValidator}), and the value-type hooks ({@link
 * org.eratestbed.model.pdata.btree.ValueType}) through which trees share and release what their values
 * point to. Every function takes a root and returns the new root, as the kernel's {@code new_root}.
 */
package org.eratestbed.model.pdata.btree;
