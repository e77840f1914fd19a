package org.eratestbed.model.pdata.sm;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * struct bop_ring_buffer of dm-space-map-metadata: the increments and decrements ("block ops") made while
 * the space map is updating itself, applied when the outermost operation finishes. One slot stays empty
 * to tell full from empty, so it holds {@code capacity - 1} ops; a push beyond that is ENOMEM ("too many
 * recursive allocations").
 */
final class BlockOpRing {
    enum Type { INC, DEC }

    record BlockOp(Type type, long b, long e) {
    }

    private final BlockOp[] ops;
    private int begin;
    private int end;

    BlockOpRing(int capacity) {
        ops = new BlockOp[capacity];
    }

    void clear() {
        begin = 0;
        end = 0;
    }

    boolean isEmpty() {
        return begin == end;
    }

    private int next(int i) {
        return i + 1 >= ops.length ? 0 : i + 1;
    }

    void push(Type type, long b, long e) {
        int n = next(end);
        if (n == begin) {
            throw new MetadataException(Errno.ENOMEM, "too many recursive allocations");
        }
        ops[end] = new BlockOp(type, b, e);
        end = n;
    }

    BlockOp peek() {
        if (isEmpty()) {
            throw new MetadataException(Errno.ENODATA, "bug in bop ring buffer: peek of an empty ring");
        }
        return ops[begin];
    }

    void pop() {
        if (isEmpty()) {
            throw new MetadataException(Errno.ENODATA, "bug in bop ring buffer: pop of an empty ring");
        }
        ops[begin] = null;
        begin = next(begin);
    }

    /** The net count change that pending ops make to block {@code b}. */
    long adjustment(long b) {
        long adjustment = 0;
        for (int i = begin; i != end; i = next(i)) {
            BlockOp op = ops[i];
            if (b < op.b() || b >= op.e()) {
                continue;
            }
            adjustment += op.type() == Type.INC ? 1 : -1;
        }
        return adjustment;
    }

    int size() {
        return end >= begin ? end - begin : end + ops.length - begin;
    }
}
