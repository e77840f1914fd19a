package org.eratestbed.model.pdata.array;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.btree.BTreeInfo;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.TransactionManager;

/**
 * struct dm_array_info (dm_array_info_init): the element value type and the one-level btree that maps an
 * array-block index to the le64 location of that array block. The btree's value type ref-counts the array
 * blocks: block_inc increments them; block_dec, when it drops the last reference, first gives every element
 * to the element type's dec.
 */
public final class ArrayInfo {
    private final ValueType valueType;
    private final BTreeInfo btreeInfo;

    public ArrayInfo(TransactionManager tm, ValueType valueType) {
        this.valueType = valueType;
        ValueType blockType = new ValueType(8, this::blockInc, this::blockDec, ValueType.memcmp(8));
        this.btreeInfo = BTreeInfo.singleLevel(tm, blockType);
    }

    public ValueType valueType() {
        return valueType;
    }

    public BTreeInfo btreeInfo() {
        return btreeInfo;
    }

    public TransactionManager tm() {
        return btreeInfo.tm();
    }

    private void blockInc(byte[] data, int offset, int count) {
        ValueType.forEachLe64(data, offset, count, tm()::inc);
    }

    private void blockDec(byte[] data, int offset, int count) {
        ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            blockDecOne(le.getLong(offset + 8 * i));
        }
    }

    /**
     * __block_dec. The kernel's callback cannot return an error: it logs ("couldn't get reference count",
     * "couldn't get array block") and goes on without decrementing, so the model swallows the error too.
     */
    private void blockDecOne(long b) {
        long refCount;
        try {
            refCount = tm().ref(b);
        } catch (MetadataException e) {
            return;
        }
        if (refCount == 1) {
            // about to drop the last reference to this array block: release its elements
            Block block;
            try {
                block = tm().readLock(b, ArrayBlockValidator.INSTANCE);
            } catch (MetadataException e) {
                return;
            }
            try {
                decAblockEntries(new ArrayBlock(block));
            } finally {
                tm().unlock(block);
            }
        }
        tm().dec(b);
    }

    void incAblockEntries(ArrayBlock ab) {
        if (valueType.hasInc()) {
            valueType.inc().apply(ab.data(), ArrayBlock.elementOffset(valueType.size(), 0), ab.nrEntries());
        }
    }

    void decAblockEntries(ArrayBlock ab) {
        if (valueType.hasDec()) {
            valueType.dec().apply(ab.data(), ArrayBlock.elementOffset(valueType.size(), 0), ab.nrEntries());
        }
    }
}
