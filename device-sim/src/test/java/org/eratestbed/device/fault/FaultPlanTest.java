package org.eratestbed.device.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;

class FaultPlanTest {
    @Test
    void parsesTheDocumentedExample() {
        FaultPlan p = FaultPlan.parse("seed=42; eio-read op=5; eio-write sectors=100..108; latent sectors=64..72; "
                + "misdirect rate=0.01 to=4096; drop op=9; lying-flush rate=0.5; eio-flush op=12");
        assertEquals(42, p.seed());
        assertEquals(7, p.rules().size());
        assertEquals(new FaultRule(FaultKind.MISDIRECT, new Trigger.Rate(0.01), 4096), p.rules().get(3));
        assertEquals(new FaultRule(FaultKind.LATENT, new Trigger.Sectors(64, 72)), p.rules().get(2));
    }

    @Test
    void emptyTextIsNoFaults() {
        assertEquals(FaultPlan.NONE, FaultPlan.parse(""));
        assertEquals(FaultPlan.NONE, FaultPlan.parse("seed=0"));
        assertEquals("seed=0", FaultPlan.NONE.toString());
    }

    @Test
    void unparsablePlansSayPreciselyWhatIsWrongOnOneLine() {
        List<String[]> cases = List.of(
                new String[] {"seed=x", "bad seed 'x'"},
                new String[] {"seed=1; boom op=3", "rule 1 'boom op=3': unknown fault 'boom'"},
                new String[] {"seed=1; drop op=-3", "op '-3' is not a non-negative integer"},
                new String[] {"seed=1; drop when=3", "unknown trigger 'when=3'"},
                new String[] {"seed=1; drop rate=1.5", "rate 1.5 is not in [0, 1]"},
                new String[] {"seed=1; drop rate=abc", "rate 'abc' is not a number"},
                new String[] {"seed=1; latent op=3", "latent needs sectors=A..B"},
                new String[] {"seed=1; drop sectors=9..3", "bad sector range 9..3"},
                new String[] {"seed=1; drop sectors=9", "sectors needs A..B"},
                new String[] {"seed=1; drop op=1 to=5", "to= is only for misdirect"},
                new String[] {"seed=1; lying-flush sectors=1..2", "cannot be triggered by sectors"},
                new String[] {"seed=1; drop op=1 extra", "unexpected 'extra'"},
                new String[] {"seed=1;", "rule 1 '': expected"},
                new String[] {"drop", "rule 1 'drop': expected"},
                new String[] {"seed=1; drop op=9999999999999999999", "op '9999999999999999999' is out of range"});
        for (String[] c : cases) {
            BadInputException e = assertThrows(BadInputException.class, () -> FaultPlan.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith("fault plan: "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void drawsArePureFunctionsOfSeedRuleAndRequest() {
        FaultPlan a = new FaultPlan(7, List.of());
        FaultPlan b = new FaultPlan(7, List.of());
        for (int seq = 0; seq < 100; seq++) {
            double d = a.draw(seq, 0, 0);
            assertTrue(d >= 0 && d < 1);
            assertEquals(d, b.draw(seq, 0, 0));
        }
    }
}
