package org.eratestbed.model.era.defect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;

class DefectTest {
    @Test
    void idsAreUniqueAndRoundTrip() {
        Set<String> seen = new HashSet<>();
        for (Defect d : Defect.values()) {
            assertTrue(seen.add(d.id()), "duplicate id " + d.id());
            assertSame(d, Defect.byId(d.id()));
        }
    }

    @Test
    void reviewPointsAreM1ToM14InOrderOfAppearance() {
        for (int point = 1; point <= 14; point++) {
            Defect d = Defect.values()[point - 1];
            assertTrue(d.id().startsWith("M" + point + "-"), d.id());
            assertEquals("M" + point, d.source().reference());
        }
    }

    @Test
    void commitIdsStartWithTheFirstEightHexDigitsOfTheirFix() {
        int commits = 0;
        for (Defect d : Defect.values()) {
            String ref = d.source().reference();
            if (ref.matches("[0-9a-f]{40}")) {
                commits++;
                assertEquals(ref.substring(0, 8) + "-", d.id().substring(0, 9), d.id());
            }
        }
        assertEquals(8, commits, "7 commits of the 2021 series plus 9ae6e8b1");
        assertEquals("2524933307fd0036d5c32357c693c021ab09a0b0", Defect.byId("25249333-digest-bitset-cache")
                .source().reference());
    }

    @Test
    void everyDefectSaysWhatItBreaksAndHowItIsModelled() {
        for (Defect d : Defect.values()) {
            assertFalse(d.story().isBlank(), d.id());
            assertFalse(d.modelledAs().isBlank(), d.id());
            assertFalse(d.source().title().isBlank(), d.id());
        }
        assertEquals(Oracle.IN_FLIGHT, Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT.oracle());
        assertEquals(Oracle.LIVENESS, Defect.DEADLOCK_2023.oracle());
        assertTrue(Defect.M13_NR_FREE_TORN_READ.modelledAs().contains("two 32-bit halves"));
        assertTrue(Defect.M6_ERA_32_64_BIT_MIX.modelledAs().contains("two 32-bit halves"));
    }

    @Test
    void unknownIdListsTheValidOnes() {
        BadInputException e = assertThrows(BadInputException.class, () -> Defect.byId("M15-nothing"));
        assertTrue(e.getMessage().startsWith("unknown defect 'M15-nothing'; valid ids: M1-inflight-write-across"
                + "-checkpoint, M2-"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", testbed-commit-after-failed-write, testbed-load-while-active, testbed-metadata-closed-before-worker, testbed-message-before-preresume"), e.getMessage());
    }
}
