package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.eratestbed.device.fault.FaultKind;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.workload.WorkloadScript;
import org.junit.jupiter.api.Test;

class CampaignFaultsTest {
    @Test
    void aFifthOfTheRunsGetOneFaultEachKindAppearsAndTheChoiceIsAFunctionOfTheSeed() {
        int faulty = 0;
        int torn = 0;
        Set<FaultKind> metadata = EnumSet.noneOf(FaultKind.class);
        Set<FaultKind> origin = EnumSet.noneOf(FaultKind.class);
        for (int run = 0; run < 2000; run++) {
            long seed = Campaign.runSeed(1, run);
            WorkloadScript script = WorkloadGenerator.generate(seed, RunGenerator.MAX_COMMANDS);
            RunPlan plan = CampaignFaults.choose(seed, new RunPlan(script, 1, 1, -1));
            assertEquals(plan, CampaignFaults.choose(seed, new RunPlan(script, 1, 1, -1)));
            if (!plan.hasFaults()) {
                continue;
            }
            faulty++;
            torn += plan.tornMetadata() ? 1 : 0;
            int rules = plan.metadataFaults().rules().size() + plan.originFaults().rules().size();
            assertEquals(plan.tornMetadata() ? 0 : 1, rules, plan.toText());
            plan.metadataFaults().rules().forEach(r -> metadata.add(r.kind()));
            plan.originFaults().rules().forEach(r -> origin.add(r.kind()));
            // The plan's text reads back, so a reproducer folder replays the same faults.
            assertEquals(plan, new RunPlan(script, 1, 1, -1).withFaultLines(plan.toText().lines().toList()));
            assertEquals(plan.metadataFaults(), FaultPlan.parse(plan.metadataFaults().toString()));
        }
        assertTrue(faulty > 330 && faulty < 470, "about one run in five: " + faulty);
        assertTrue(torn > 0, "some runs tear metadata writes");
        assertEquals(EnumSet.allOf(FaultKind.class), metadata);
        assertEquals(EnumSet.of(FaultKind.EIO_WRITE, FaultKind.EIO_FLUSH, FaultKind.LYING_FLUSH, FaultKind.DROP,
                FaultKind.MISDIRECT), origin);
    }
}
