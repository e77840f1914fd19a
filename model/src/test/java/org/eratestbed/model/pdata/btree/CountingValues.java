package org.eratestbed.model.pdata.btree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A value type for tests whose values stand for ref-counted objects (like the writeset tree's bitset roots):
 * the first four bytes are an object id, the rest a pattern derived from it, and inc/dec keep a count per
 * id, so a test can check that the tree takes and drops exactly one reference per stored value.
 */
public final class CountingValues {
    private final int size;
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final ValueType type;

    public CountingValues(int size) {
        if (size < 4) {
            throw new IllegalArgumentException("size " + size);
        }
        this.size = size;
        this.type = new ValueType(size, (d, off, n) -> adjust(d, off, n, +1), (d, off, n) -> adjust(d, off, n, -1),
                ValueType.memcmp(size));
    }

    private void adjust(byte[] data, int offset, int count, int delta) {
        ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            int id = le.getInt(offset + i * size);
            int c = counts.getOrDefault(id, 0) + delta;
            if (c < 0) {
                throw new AssertionError("value " + id + " decremented below zero");
            }
            if (c == 0) {
                counts.remove(id);
            } else {
                counts.put(id, c);
            }
        }
    }

    public ValueType type() {
        return type;
    }

    /** The caller hands the tree a new reference to {@code id} (what a kernel caller owns before insert). */
    public void take(int id) {
        counts.merge(id, 1, Integer::sum);
    }

    public int count(int id) {
        return counts.getOrDefault(id, 0);
    }

    public Map<Integer, Integer> liveCounts() {
        return Map.copyOf(counts);
    }

    public byte[] value(int id) {
        byte[] v = new byte[size];
        ByteBuffer le = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(0, id);
        for (int i = 4; i < size; i++) {
            v[i] = (byte) (id * 31 + i);
        }
        return v;
    }
}
