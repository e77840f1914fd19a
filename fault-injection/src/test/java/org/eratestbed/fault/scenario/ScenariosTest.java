package org.eratestbed.fault.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ScenariosTest {
    @Test
    void oneScenarioPerDefect() {
        List<Scenario> all = Scenarios.all();
        Set<Defect> covered = all.stream().map(Scenario::defect).collect(Collectors.toSet());
        assertEquals(Set.of(Defect.values()), covered);
        assertEquals(Defect.values().length, all.size());
        assertTrue(Scenarios.byId(Defect.M5_SM_ROOT_UNALIGNED.id()).isPresent());
        assertFalse(Scenarios.byId("M5").isPresent(), "ids are the full defect ids");
    }

    @TestFactory
    Stream<DynamicTest> eachScenarioReproducesItsDefectAndTheFixHolds() {
        return Scenarios.all().stream().map(s -> DynamicTest.dynamicTest(s.id(), () -> {
            ScenarioResult r = s.run();
            String report = String.join("\n", r.report());
            assertTrue(r.passed(), report);
            assertFalse(r.buggy().evidence().isEmpty(), report);
            if (s.observable()) {
                assertTrue(r.buggy().violated() && !r.fixed().violated(), report);
            }
            assertTrue(r.millis() < 2000, "took " + r.millis() + " ms:\n" + report);
        }));
    }

    @Test
    void pointsShownNotToAriseAreExactlyM7AndM10() {
        Set<Defect> unobservable = Scenarios.all().stream().filter(s -> !s.observable()).map(Scenario::defect)
                .collect(Collectors.toSet());
        assertEquals(Set.of(Defect.M7_ARCHIVED_WRITESETS_NO_BARRIER, Defect.M10_ALL_ZEROES_WHOLE_BLOCK), unobservable);
    }

    @Test
    void interleavingsAndEvidenceAreDeterministic() {
        for (Defect d : List.of(Defect.INCORE_BIT_BEFORE_COMMIT, Defect.DIGEST_BITSET_CACHE, Defect.M6_ERA_32_64_BIT_MIX,
                Defect.POSTSUSPEND_COMMIT_AFTER_WORKER)) {
            Scenario s = Scenarios.byId(d.id()).orElseThrow();
            assertEquals(withoutTiming(s.run()), withoutTiming(s.run()), d.id());
        }
    }

    @Test
    void theBuggySideRunsOnAnotherVariantThatHasTheDefect() {
        Scenario s = Scenarios.byId(Defect.INCORE_BIT_BEFORE_COMMIT.id()).orElseThrow();
        ScenarioResult r = s.runOn(Variant.PRE_5_12);
        assertEquals("pre-5.12", r.buggySide());
        assertTrue(r.passed(), String.join("\n", r.report()));
    }

    @Test
    void aBuggySideThatNeedsAnotherDefectKeepsIt() {
        Scenario s = Scenarios.byId(Defect.M12_BITSET_SIZE_OVERFLOW.id()).orElseThrow();
        // hardened has neither; the scenario switches M11 on beside M12 (the size is unreachable otherwise)
        assertEquals("hardened+M11+M12", s.run().buggySide());
    }

    private static List<String> withoutTiming(ScenarioResult r) {
        return r.report().stream().map(l -> l.replaceAll("\\(\\d+ ms\\)", "")).toList();
    }
}
