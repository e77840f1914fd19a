package org.eratestbed.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.scenario.Scenario;
import org.eratestbed.fault.scenario.ScenarioResult;
import org.eratestbed.fault.scenario.Scenarios;
import org.eratestbed.model.era.defect.Variant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * era-testbed reproduce: runs catalogued defects as deterministic scenarios, each on code with the defect and
 * on the fixed code. Exit 0 when every named scenario reproduced its defect and the fix held (or, for a point
 * shown not to arise, when neither side violated it), 1 otherwise, 2 for an unknown id or bad usage.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reproduce reviewed races and fixed bugs from the catalogue: each scenario runs the buggy and"
                + " the fixed code deterministically and applies the defect's oracle to both.")
final class ReproduceCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--list", description = "list the scenarios: id, source, story")
    boolean list;

    @Option(names = "--all", description = "run every scenario and print one table")
    boolean all;

    @Option(names = "--variant", paramLabel = "V",
            description = "run the buggy side on this variant (upstream, as-reviewed, pre-5.12, hardened) where it"
                    + " has the defect")
    String variant;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "scenario ids (the defect ids, see --list)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int modes = (list ? 1 : 0) + (all ? 1 : 0) + (ids.isEmpty() ? 0 : 1);
        if (modes != 1) {
            throw new BadInputException("give exactly one of --list, --all or scenario ids (see --help)");
        }
        Variant v = variant == null ? null : Variant.parse(variant);
        if (list) {
            for (Scenario s : Scenarios.all()) {
                out.println(s.id() + "\t" + s.defect().source().reference() + "\t" + s.defect().story());
            }
            return EraTestbed.EXIT_OK;
        }
        List<Scenario> chosen = new ArrayList<>();
        if (all) {
            chosen.addAll(Scenarios.all());
        } else {
            for (String id : ids) {
                Scenario s = Scenarios.byId(id).orElseThrow(() -> new BadInputException("unknown scenario '" + id
                        + "' (see reproduce --list)"));
                if (v != null && !v.has(s.defect())) {
                    throw new BadInputException("variant " + v.id() + " does not have " + id);
                }
                chosen.add(s);
            }
        }
        return all ? table(out, chosen, v) : reports(out, chosen, v);
    }

    private static ScenarioResult run(Scenario s, Variant v) {
        return v == null ? s.run() : s.runOn(v);
    }

    private static int reports(PrintWriter out, List<Scenario> chosen, Variant v) {
        boolean ok = true;
        for (Scenario s : chosen) {
            ScenarioResult r = run(s, v);
            r.report().forEach(out::println);
            out.println();
            ok &= r.passed();
        }
        out.flush();
        return ok ? EraTestbed.EXIT_OK : EraTestbed.EXIT_VIOLATION;
    }

    private static int table(PrintWriter out, List<Scenario> chosen, Variant v) {
        String fmt = "%-42s %-26s %-10s %-22s %6s%n";
        out.printf(fmt, "scenario", "buggy side", "fixed", "verdict", "ms");
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        long t0 = System.nanoTime();
        for (Scenario s : chosen) {
            if (v != null && !v.has(s.defect())) {
                out.printf(fmt, s.id(), v.id(), "-", "skipped (no such defect)", "-");
                skipped++;
                continue;
            }
            ScenarioResult r = run(s, v);
            out.printf(fmt, s.id(), r.buggySide(), r.fixedSide(), r.verdict().text(), r.millis());
            if (r.passed()) {
                passed++;
            } else {
                failed++;
            }
        }
        out.printf("%d passed, %d failed%s in %d ms%n", passed, failed, skipped > 0 ? ", " + skipped + " skipped" : "",
                (System.nanoTime() - t0) / 1_000_000);
        if (failed > 0) {
            out.println("details: era-testbed reproduce ID" + (v != null ? " --variant " + v.id() : ""));
        }
        out.flush();
        return failed == 0 ? EraTestbed.EXIT_OK : EraTestbed.EXIT_VIOLATION;
    }
}
