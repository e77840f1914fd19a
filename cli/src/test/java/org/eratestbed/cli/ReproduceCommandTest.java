package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.eratestbed.fault.scenario.Scenario;
import org.eratestbed.fault.scenario.Scenarios;
import org.eratestbed.model.era.defect.Defect;
import org.junit.jupiter.api.Test;

class ReproduceCommandTest {
    @Test
    void everyDefectHasExactlyOneScenario() {
        Set<Defect> covered = Scenarios.all().stream().map(Scenario::defect).collect(Collectors.toSet());
        assertEquals(Set.of(Defect.values()), covered);
        assertEquals(Defect.values().length, Scenarios.all().size());
    }

    @Test
    void allScenariosReproduceAndTheirFixesHold() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", "--all");
        assertEquals(0, r.code(), r.out() + r.err());
        for (Defect d : Defect.values()) {
            assertTrue(r.out().contains(d.id()), "table lacks " + d.id() + ":\n" + r.out());
        }
        assertTrue(r.out().contains(Defect.values().length + " passed, 0 failed"), r.out());
    }

    @Test
    void oneScenarioPrintsInterleavingEvidenceAndTheFixedSide() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", Defect.INCORE_BIT_BEFORE_COMMIT.id());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("interleaving:"), r.out());
        assertTrue(r.out().contains("MISSING"), r.out());
        assertTrue(r.out().contains("fixed (upstream): oracle held"), r.out());
    }

    @Test
    void listShowsIdSourceAndStory() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", "--list");
        assertEquals(0, r.code());
        assertEquals(Defect.values().length, r.out().strip().lines().count());
        assertTrue(r.out().contains("cca2c6aebe86f68103a8615074b3578e854b5016"), r.out());
    }

    @Test
    void unknownIdIsExitTwo() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", "M99-no-such");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aVariantWithoutTheDefectIsExitTwo() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", "--variant", "upstream",
                Defect.DIGEST_BITSET_CACHE.id());
        assertEquals(2, r.code(), r.err());
    }

    @Test
    void theBuggySideCanRunOnAnotherVariant() {
        EraTestbedTest.Run r = EraTestbedTest.run("reproduce", "--variant", "as-reviewed",
                Defect.M3_ZERO_BLOCK_SIZE.id());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("buggy (as-reviewed)"), r.out());
    }
}
