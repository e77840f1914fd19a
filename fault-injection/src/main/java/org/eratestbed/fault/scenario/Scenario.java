package org.eratestbed.fault.scenario;

import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * One catalogued dm-era defect as a deterministic reproducer: the same steps run on code with the defect (the
 * buggy side) and without it (the fixed side), and the defect's oracle is applied to both. A scenario passes
 * only when the buggy side violates the oracle and the fixed side holds it; for the points that are shown not
 * to arise ({@link #observable()} false) it passes when neither side violates it, as it claims.
 *
 * <p>Runs are deterministic: a {@link org.eratestbed.model.kernel.ScriptedPolicy} interleaving or an exact
 * crash point, no wall clock, no randomness.
 */
public abstract class Scenario {
    /** The defect this scenario reproduces; its id is the scenario's id. */
    public abstract Defect defect();

    public final String id() {
        return defect().id();
    }

    /** What the oracle requires here, concretely (e.g. "every write acknowledged in era E is listed since E"). */
    public abstract String oracleText();

    /** How the model reproduces it, including what it cannot reproduce and why. */
    public abstract String howModelled();

    /** The side with the defect by default. */
    abstract Side buggySide();

    /** The side without it: upstream, or hardened for what upstream never fixed. */
    Side fixedSide() {
        return Side.of(Variant.UPSTREAM);
    }

    /** False for a point whose scenario shows the condition cannot arise (no side may violate the oracle). */
    public boolean observable() {
        return true;
    }

    /** Runs the scenario's steps on one side and applies the oracle. */
    abstract SideRun run(Side side);

    /** Runs both sides with the default buggy side. */
    public ScenarioResult run() {
        return runBoth(buggySide());
    }

    /** Runs the buggy steps on {@code variant} instead (it must have the defect), the fixed side as usual. */
    public ScenarioResult runOn(Variant variant) {
        if (!variant.has(defect())) {
            throw new IllegalArgumentException(variant.id() + " does not have " + id());
        }
        Side base = buggySide();
        // Defects the default buggy side needs besides this one (e.g. M6 needs M13's unlocked status) stay on.
        Defect[] extra = base.live().stream().filter(d -> d != defect() && !variant.has(d)
                && neededWith().test(d)).toArray(Defect[]::new);
        return runBoth(extra.length == 0 ? Side.of(variant) : Side.with(variant, extra));
    }

    /** Other defects the buggy side needs switched on for this one to be reachable (none by default). */
    Predicate<Defect> neededWith() {
        return d -> false;
    }

    private ScenarioResult runBoth(Side buggy) {
        long t0 = System.nanoTime();
        SideRun b = safely(buggy);
        Side fixedSide = fixedSide();
        SideRun f = safely(fixedSide);
        return new ScenarioResult(this, buggy.name(), b, fixedSide.name(), f, (System.nanoTime() - t0) / 1_000_000);
    }

    private SideRun safely(Side side) {
        try {
            return run(side);
        } catch (RuntimeException | AssertionError e) {
            return SideRun.crashed(e);
        }
    }

    /**
     * The interleaving: the trace from {@code actors[0]}'s first step on, keeping the steps of {@code actors} and
     * device completions.
     */
    static List<String> steps(Machine m, String... actors) {
        List<String> all = m.trace();
        int from = 0;
        while (from < all.size() && !all.get(from).contains("actor:" + actors[0] + "@")) {
            from++;
        }
        return all.subList(from, all.size()).stream().filter(t -> {
            for (String a : actors) {
                if (t.contains("actor:" + a + "@") || t.contains("event:")) {
                    return true;
                }
            }
            return false;
        }).toList();
    }
}
