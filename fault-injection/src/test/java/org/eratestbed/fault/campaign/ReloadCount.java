package org.eratestbed.fault.campaign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * Measurement harness, not a test: of a campaign's runs (its results.jsonl), how many scripts hold a reload,
 * how many runs made a reloaded table live before their crash, and how many crash states those runs checked.
 * Each run is executed again from its seed, as the campaign did.
 *
 * With a third argument {@code known}, it also replays each run that a known record attributes to a catalogued
 * defect and has a reload in its script on the hardened model (every defect fixed): one that fails the same
 * oracle there is no catalogued defect's doing.
 *
 * <p>Usage: {@code java -cp <fault-injection test and main classes + deps> ...ReloadCount RESULTS.jsonl VARIANT [known]}
 */
public final class ReloadCount {
    private ReloadCount() {
    }

    public static void main(String[] args) throws Exception {
        Variant variant = Variant.parse(args[1]);
        Predicate<Defect> live = variant::has;
        int runs = 0;
        int withReload = 0;
        int withLive = 0;
        long states = 0;
        long statesLive = 0;
        int known = 0;
        int knownWithReload = 0;
        int failHardened = 0;
        int staleLoads = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (args.length > 2 && line.startsWith("{\"type\":\"known\"") && !line.contains("device-fault:")) {
                known++;
                long seed = Long.parseLong(field(line, "seed"));
                if (RunGenerator.basePlan(seed).script().commands().stream().anyMatch(c -> c instanceof Command.Reload)) {
                    knownWithReload++;
                    String oracle = line.replaceAll(".*\"oracle\":\"([^\"]*)\".*", "$1");
                    Predicate<Defect> fixed = Variant.HARDENED::has;
                    RunPlan plan = RunGenerator.plan(live, seed);
                    RunExecutor.Outcome h = RunExecutor.execute(fixed, plan, RunGenerator.MAX_STEPS);
                    Oracles.Violation same = Oracles.check(fixed, h, seed, 16).violations().stream()
                            .filter(v -> v.oracle().equals(oracle)).findFirst().orElse(null);
                    if (same != null) {
                        failHardened++;
                        String stale = ReloadFindings.staleLoad(h, same);
                        staleLoads += stale != null ? 1 : 0;
                        System.out.println("run " + field(line, "run") + " fails " + oracle + " on hardened too ("
                                + line.replaceAll(".*\"defect\":\"([^\"]*)\".*", "$1") + "): "
                                + (stale != null ? "stale load: " + stale : same.message()));
                    }
                }
                continue;
            }
            if (!line.startsWith("{\"type\":\"run\"")) {
                continue;
            }
            long seed = Long.parseLong(field(line, "seed"));
            int checked = Integer.parseInt(field(line, "states_checked"));
            runs++;
            states += checked;
            RunPlan base = RunGenerator.basePlan(seed);
            List<Command> cmds = base.script().commands();
            if (cmds.stream().noneMatch(c -> c instanceof Command.Reload)) {
                continue;
            }
            withReload++;
            RunExecutor.Outcome o = RunExecutor.execute(live, RunGenerator.plan(live, seed), RunGenerator.MAX_STEPS);
            long creates = 1 + cmds.stream().filter(c -> c instanceof Command.Simple s
                    && s.kind() == Command.Kind.CREATE).count();
            // every create notes one live table; more than that is a resume that swapped a reloaded one in
            if (o.model().tablesLive().size() > creates) {
                withLive++;
                statesLive += checked;
            }
        }
        System.out.printf("%d runs (%d states): %d with a reload in the script, %d with a reloaded table live "
                + "before the crash, checking %d states%n", runs, states, withReload, withLive, statesLive);
        if (args.length > 2) {
            System.out.printf("known records (not device faults): %d, with a reload: %d, failing the same oracle on "
                    + "hardened: %d, of which a table loaded while the device was active explains %d%n", known,
                    knownWithReload, failHardened, staleLoads);
        }
    }

    private static String field(String json, String key) {
        int at = json.indexOf("\"" + key + "\":") + key.length() + 3;
        int end = at;
        while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '-')) {
            end++;
        }
        return json.substring(at, end);
    }
}
