package org.eratestbed.device.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A fault plan is a value: its text parses back to an equal plan. */
class FaultPlanProperties {
    @Property(tries = 500)
    void aPlanRoundTripsThroughItsText(@ForAll("plans") FaultPlan plan) {
        String text = plan.toString();
        assertFalse(text.contains("\n"), text);
        FaultPlan back = FaultPlan.parse(text);
        assertEquals(plan, back);
        assertEquals(text, back.toString());
    }

    @Property(tries = 200)
    void aSeededPlanRoundTripsAndIsReproducible(@ForAll long seed) {
        FaultPlan plan = FaultPlan.random(seed, 1 << 20);
        assertEquals(plan, FaultPlan.random(seed, 1 << 20));
        assertEquals(plan, FaultPlan.parse(plan.toString()));
    }

    @Provide
    Arbitrary<FaultPlan> plans() {
        return Combinators.combine(Arbitraries.longs(), rules().list().ofMaxSize(6)).as(FaultPlan::new);
    }

    private Arbitrary<FaultRule> rules() {
        Arbitrary<Trigger> ops = Arbitraries.longs().between(0, Long.MAX_VALUE).map(Trigger.Op::new);
        Arbitrary<Trigger> ranges = Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE - (1 << 20)),
                Arbitraries.longs().between(1, 1 << 20)).as((a, n) -> new Trigger.Sectors(a, a + n));
        Arbitrary<Trigger> rates = Arbitraries.oneOf(Arbitraries.doubles().between(0, 1),
                Arbitraries.of(0.0, 1.0, 1e-9, 0.5)).map(Trigger.Rate::new);
        return Arbitraries.of(FaultKind.class).flatMap(kind -> {
            Arbitrary<Trigger> trigger;
            if (kind == FaultKind.LATENT) {
                trigger = ranges;
            } else if (kind == FaultKind.EIO_FLUSH || kind == FaultKind.LYING_FLUSH) {
                trigger = Arbitraries.oneOf(ops, rates);
            } else {
                trigger = Arbitraries.oneOf(ops, ranges, rates);
            }
            Arbitrary<Long> target = kind == FaultKind.MISDIRECT
                    ? Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(0, 1L << 40))
                    : Arbitraries.just(-1L);
            return Combinators.combine(trigger, target).as((t, to) -> new FaultRule(kind, t, to));
        });
    }
}
