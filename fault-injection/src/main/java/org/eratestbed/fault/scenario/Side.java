package org.eratestbed.fault.scenario;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * The code one side of a scenario runs: a named {@link Variant}, or a variant with some defects switched on.
 * {@link EraTargetType} takes the predicate; the name is what reports print.
 *
 * @param name e.g. {@code pre-5.12} or {@code hardened+M5-sm-root-unaligned}
 */
record Side(String name, Set<Defect> live) {
    static Side of(Variant v) {
        return new Side(v.id(), v.defects());
    }

    /** {@code base} with {@code extra} switched on. */
    static Side with(Variant base, Defect... extra) {
        EnumSet<Defect> set = base.defects().isEmpty() ? EnumSet.noneOf(Defect.class) : EnumSet.copyOf(base.defects());
        StringBuilder name = new StringBuilder(base.id());
        for (Defect d : extra) {
            set.add(d);
            name.append('+').append(d.id().replaceFirst("-.*", ""));
        }
        return new Side(name.toString(), Set.copyOf(set));
    }

    Predicate<Defect> predicate() {
        return live::contains;
    }

    boolean has(Defect d) {
        return live.contains(d);
    }

    @Override
    public String toString() {
        return name;
    }
}
