package org.eratestbed.model.era.target;

import java.util.function.Predicate;

import org.eratestbed.model.era.defect.Defect;

/**
 * A 64-bit counter with one writer (the worker) and readers on other threads: the era counter of review point
 * {@link Defect#M6_ERA_32_64_BIT_MIX} and the space map's free count that era_status read in
 * {@link Defect#M13_NR_FREE_TORN_READ}. On a 32-bit CPU such a value is two 32-bit words, stored and loaded
 * one at a time; {@link SplitValue64} keeps it that way, {@link AtomicValue64} is the fixed form.
 */
public abstract class Value64 {
    /** The split form when {@code defect} is live, else the atomic one. */
    public static Value64 forDefect(Predicate<Defect> live, Defect defect, long initial) {
        return live.test(defect) ? new SplitValue64(initial) : new AtomicValue64(initial);
    }

    public abstract long get();

    /** Store a new value; only the single writer calls it. */
    public abstract void set(long value);

    /** The writer's read-modify-write, e.g. {@code current_era++}: not atomic against another writer. */
    public final void add(long delta) {
        set(get() + delta);
    }
}
