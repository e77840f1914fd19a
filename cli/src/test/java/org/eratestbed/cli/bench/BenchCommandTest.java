package org.eratestbed.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.Map;
import org.eratestbed.cli.EraTestbed;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EraTestbed.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickJsonIsOneParsableObjectWithEveryFigure() {
        Run r = run("bench", "--json", "--quick");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(r.out());
        Map<String, Object> figures = (Map<String, Object>) json.get("figures");
        for (Figure f : Figure.ALL) {
            Map<String, Object> fig = (Map<String, Object>) figures.get(f.name());
            assertTrue(fig != null, f.name() + " missing in " + r.out());
            if (!f.isJmh() && !ThinTools.available()) {
                assertEquals(null, fig.get("value"), "no era_check, no figure: " + r.out());
                assertTrue(((String) fig.get("note")).contains("not installed"), r.out());
                continue;
            }
            double value = (Double) fig.get("value");
            assertTrue(value > 0 && Double.isFinite(value), r.out());
            assertEquals(f.unit(), fig.get("unit"));
            assertTrue(fig.containsKey("error"), r.out());
        }
        Map<String, Object> settings = (Map<String, Object>) json.get("settings");
        assertEquals(Boolean.TRUE, settings.get("quick"));
        assertEquals(1.0, settings.get("forks"));
    }

    @Test
    void plainModePrintsATableInProcess() {
        Run r = run("bench", "--quick", "--forks", "0", "--figure", "crash_states_per_s");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("figure"), r.out());
        assertTrue(r.out().contains("crash_states_per_s") && r.out().contains("states/s"), r.out());
    }

    @Test
    void anUnknownFigureIsBadInput() {
        Run r = run("bench", "--figure", "nope");
        assertEquals(2, r.code());
        assertEquals("era-testbed bench: unknown figure 'nope' (known: crash_states_per_s, crash_states_checked_per_s, "
                + "metadata_checked_per_s, era_check_states_per_s, ratio, metadata_ratio)", r.err().strip());
        assertFalse(r.err().contains("Exception"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRatioIsMeasuredWithBothItsSidesOnTheSameStates() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        Run r = run("bench", "--json", "--quick", "--forks", "0", "--figure", "ratio");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> figures = (Map<String, Object>) ((Map<String, Object>) MiniJson.parse(r.out())).get("figures");
        double checked = (Double) ((Map<String, Object>) figures.get("crash_states_checked_per_s")).get("value");
        double eraCheck = (Double) ((Map<String, Object>) figures.get("era_check_states_per_s")).get("value");
        double ratio = (Double) ((Map<String, Object>) figures.get("ratio")).get("value");
        assertEquals(checked / eraCheck, ratio, 1e-9 * ratio);
        assertTrue(eraCheck > 0 && checked > 0, r.out());
        Map<String, Object> settings = (Map<String, Object>) ((Map<String, Object>) MiniJson.parse(r.out())).get("settings");
        assertEquals((double) CrashStateCheckBenchmark.STATES, settings.get("checked_states"));
    }

    @Test
    void theBenchmarkMeasuresTheDiskItNames() {
        CrashSpace space = CrashStateBenchmark.buildSpace(42);
        assertEquals(CrashStateBenchmark.DEVICE_SECTORS, space.sizeSectors());
        assertEquals(CrashStateBenchmark.VOLATILE_WRITES, space.writes().size());
        assertEquals(1024, space.durable().pagesStored());
        assertEquals(BigInteger.TWO.pow(8 * space.writes().size()), space.count());
    }
}
