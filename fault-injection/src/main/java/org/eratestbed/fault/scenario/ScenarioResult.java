package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;

/** One scenario's run: both sides and the verdict. */
public record ScenarioResult(Scenario scenario, String buggySide, SideRun buggy, String fixedSide, SideRun fixed,
        long millis) {

    /** What the run showed. */
    public enum Verdict {
        /** The buggy side violated the oracle and the fixed side held it. */
        REPRODUCED("reproduced, fix held"),
        /** A point the scenario shows cannot arise: neither side violates, as the scenario claims. */
        CANNOT_ARISE("cannot arise (shown)"),
        /** The buggy side did not violate the oracle. */
        NOT_REPRODUCED("NOT reproduced"),
        /** The fixed side violated the oracle too. */
        FIX_FAILED("fix FAILED"),
        /** A point claimed unobservable was observed. */
        UNEXPECTED("UNEXPECTED violation"),
        /** The scenario's own code failed on a side. */
        ERROR("scenario ERROR");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public Verdict verdict() {
        if (buggy.crashed() || fixed.crashed()) {
            return Verdict.ERROR;
        }
        if (!scenario.observable()) {
            return buggy.violated() || fixed.violated() ? Verdict.UNEXPECTED : Verdict.CANNOT_ARISE;
        }
        if (!buggy.violated()) {
            return Verdict.NOT_REPRODUCED;
        }
        return fixed.violated() ? Verdict.FIX_FAILED : Verdict.REPRODUCED;
    }

    /** Reproduced and fixed, or shown not to arise. */
    public boolean passed() {
        Verdict v = verdict();
        return v == Verdict.REPRODUCED || v == Verdict.CANNOT_ARISE;
    }

    /** The full report: trigger, interleaving, the violated oracle with its evidence, the fixed side. */
    public List<String> report() {
        List<String> out = new ArrayList<>();
        out.add(scenario.id() + " — " + scenario.defect().source().reference());
        out.add("  story:   " + scenario.defect().story());
        out.add("  oracle:  " + scenario.defect().oracle().id() + ": " + scenario.oracleText());
        out.add("  how:     " + scenario.howModelled());
        side(out, "buggy", buggySide, buggy);
        side(out, "fixed", fixedSide, fixed);
        out.add("  verdict: " + verdict().text() + " (" + millis + " ms)");
        return out;
    }

    private static void side(List<String> out, String which, String name, SideRun run) {
        out.add("  " + which + " (" + name + "): " + (run.violated() ? "oracle VIOLATED" : "oracle held"));
        out.add("    trigger: " + run.trigger());
        if (!run.trace().isEmpty()) {
            out.add("    interleaving:");
            run.trace().forEach(t -> out.add("      " + t));
        }
        run.evidence().forEach(e -> out.add("    " + e));
    }
}
