package org.eratestbed.device.sim;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The crash states a check will look at: all of them when the space has at most {@code limit} states, else
 * {@code limit} distinct states drawn uniformly (without replacement) from a {@link SplittableRandom} seeded
 * with {@code seed}. Every iteration yields the same states in the same order; {@link #produced()} counts the
 * states handed out so far, for the report ("produced N of M").
 */
public final class CrashSelection implements Iterable<CrashState> {
    private final CrashSpace space;
    private final long seed;
    private final long limit;
    private final boolean exhaustive;
    private final long size;
    private long produced;

    CrashSelection(CrashSpace space, long seed, long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.space = space;
        this.seed = seed;
        this.limit = limit;
        this.exhaustive = space.isExhaustive(limit);
        this.size = exhaustive ? space.count().longValueExact() : limit;
    }

    public CrashSpace space() {
        return space;
    }

    public boolean exhaustive() {
        return exhaustive;
    }

    /** How many states an iteration yields. */
    public long size() {
        return size;
    }

    public BigInteger total() {
        return space.count();
    }

    public synchronized long produced() {
        return produced;
    }

    private synchronized void countOne() {
        produced++;
    }

    /** E.g. "4096 of 4096 crash states (exhaustive)" or "65536 of 2^96 = 7922… crash states (sampled, seed 7)". */
    public String summary() {
        String total = space.units() > 20 ? "2^" + space.units() + " = " + space.count() : space.count().toString();
        return produced() + " of " + total + " crash states ("
                + (exhaustive ? "exhaustive" : "sampled uniformly, seed " + seed + ", limit " + limit) + ")";
    }

    @Override
    public Iterator<CrashState> iterator() {
        return exhaustive ? new Enumerator() : new Sampler();
    }

    private final class Enumerator implements Iterator<CrashState> {
        private long next;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public CrashState next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            long[] bits = new long[space.words()];
            bits[0] = next++;
            countOne();
            return new CrashState(space, bits);
        }
    }

    private final class Sampler implements Iterator<CrashState> {
        private final SplittableRandom rnd = new SplittableRandom(seed);
        private final Set<Key> seen = new HashSet<>();
        private long given;

        @Override
        public boolean hasNext() {
            return given < size;
        }

        @Override
        public CrashState next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int units = space.units();
            long[] bits;
            do {
                bits = new long[space.words()];
                for (int w = 0; w < bits.length; w++) {
                    bits[w] = rnd.nextLong();
                }
                int rest = units & 63;
                if (rest != 0) {
                    bits[bits.length - 1] &= (1L << rest) - 1;
                }
            } while (!seen.add(new Key(bits)));
            given++;
            countOne();
            return new CrashState(space, bits);
        }
    }

    /** Bit sets compared by value; HashSet only tests membership here, its order never shows. */
    private record Key(long[] bits) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(k.bits, bits);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bits);
        }
    }
}
