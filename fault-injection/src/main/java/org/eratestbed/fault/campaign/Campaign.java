package org.eratestbed.fault.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * A fault-injection campaign on the model: runs numbered 0, 1, 2… each derived from the campaign seed and
 * its index alone, so a run is the same whenever and wherever it is executed — which is what makes a killed
 * campaign resumable (finished runs are skipped, the log drops a torn line) and a campaign splittable into
 * shards (run i belongs to shard i mod N). Each violation is attributed to the catalogued defect whose fix
 * makes it disappear, shrunk, and written out as a reproducer folder with one command to replay it.
 */
public final class Campaign {
    /** What the command line asked for. {@code runs} bounds the campaign exactly; {@code budget} by time. */
    public record Config(long seed, Variant variant, Duration budget, int runs, int shardK, int shardN, Path out,
            int statesPerRun, String toolVersion) {
        String shard() {
            return shardK + "/" + shardN;
        }

        String budgetText() {
            return runs > 0 ? runs + " runs" : budget.toSeconds() + "s";
        }
    }

    /** Progress after each run, for a bar or plain lines. */
    public record Progress(int run, int runsDone, long statesChecked, int violations, int known, long elapsedMs) {
    }

    private final Config cfg;

    public Campaign(Config cfg) {
        this.cfg = cfg;
    }

    /** Runs (or resumes) the campaign; returns the log's folder. */
    public Path run(Consumer<Progress> progress) {
        CampaignInfo info = CampaignInfo.of(cfg.seed(), cfg.variant().id(), cfg.budgetText(), cfg.shard(),
                Instant.now(), cfg.toolVersion());
        long start = System.nanoTime();
        try (ResultLog log = ResultLog.open(cfg.out(), info)) {
            if (log.done().isPresent()) {
                return cfg.out();
            }
            long clockBase = log.lastTms();
            long states = 0;
            int violations = 0;
            int known = 0;
            int done = log.completedRuns().size();
            java.util.Set<String> shrunk = new java.util.HashSet<>();
            for (int run = cfg.shardK() - 1; ; run += cfg.shardN()) {
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                if (cfg.runs() > 0 ? run >= cfg.runs() : elapsedMs >= cfg.budget().toMillis()) {
                    break;
                }
                if (log.isComplete(run)) {
                    continue;
                }
                long t0 = System.nanoTime();
                long runSeed = runSeed(cfg.seed(), run);
                Predicate<Defect> live = cfg.variant()::has;
                RunPlan plan = RunGenerator.plan(live, runSeed);
                RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
                Oracles.Checked c = Oracles.check(live, o, runSeed, cfg.statesPerRun());
                List<Finding> findings = new ArrayList<>();
                long tMs = clockBase + (System.nanoTime() - start) / 1_000_000;
                Oracles.Violation v = c.first();
                if (v != null) {
                    Defect cause = Attribution.cause(cfg.variant(), plan, v.oracle(), cfg.statesPerRun(), runSeed);
                    // Shrinking costs seconds: done for the first finding of each oracle and cause; later ones
                    // keep their whole (still replayable) plan.
                    boolean first = shrunk.add(v.oracle() + "/" + (cause == null ? "" : cause.id()));
                    RunPlan small = first ? Shrinker.shrink(live, plan, v.oracle(), cfg.statesPerRun(), runSeed) : plan;
                    String crashPoint = o.crashPoint();
                    if (small != plan) {
                        // Record what the reproducer shows: the shrunk plan's own violation and crash point.
                        RunExecutor.Outcome so = RunExecutor.execute(live, small, RunGenerator.MAX_STEPS);
                        String oracle = v.oracle();
                        Oracles.Violation found = v;
                        v = Oracles.check(live, so, runSeed, cfg.statesPerRun()).violations().stream()
                                .filter(x -> x.oracle().equals(oracle)).findFirst().orElse(found);
                        crashPoint = so.crashPoint();
                    }
                    Path dir = writeReproducer(run, v, small, cause);
                    String reproduce = "era-testbed campaign --reproduce " + dir + " --variant " + cfg.variant().id();
                    String defectId = cause == null ? null : cause.id();
                    if (cause != null && Variant.UPSTREAM.has(cause) && cfg.variant() != Variant.HARDENED) {
                        findings.add(new KnownRecord(cfg.shard(), run, runSeed, cfg.variant().id(), v.oracle(), defectId,
                                v.message(), crashPoint, v.state(), small.script().toText(), List.of(), reproduce, tMs));
                        known++;
                    } else {
                        findings.add(new ViolationRecord(cfg.shard(), run, runSeed, cfg.variant().id(), v.oracle(),
                                defectId, v.message(), crashPoint, v.state(), small.script().toText(), List.of(),
                                reproduce, tMs));
                        violations++;
                    }
                }
                states += c.statesChecked();
                long runMs = (System.nanoTime() - t0) / 1_000_000;
                log.appendRun(findings, new RunRecord(cfg.shard(), run, runSeed, cfg.variant().id(), o.steps(),
                        o.crashPoint(), o.kind(), c.statesTotal(), c.statesChecked(), runMs,
                        clockBase + (System.nanoTime() - start) / 1_000_000));
                done++;
                progress.accept(new Progress(run, done, states, violations, known, (System.nanoTime() - start) / 1_000_000));
            }
            log.append(new DoneRecord(cfg.shard(), log.completedRuns().size(), log.statesChecked(), log.violations(),
                    clockBase + (System.nanoTime() - start) / 1_000_000));
        }
        return cfg.out();
    }

    /** A run's seed: a function of the campaign seed and the run index only. */
    static long runSeed(long campaignSeed, int run) {
        return new SplittableRandom(campaignSeed ^ (0x9E3779B97F4A7C15L * (run + 1))).nextLong();
    }

    private Path writeReproducer(int run, Oracles.Violation v, RunPlan plan, Defect cause) {
        Path dir = cfg.out().resolve("findings").resolve("run-" + run + "-" + v.oracle());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("script.era"), plan.script().toText(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("plan.txt"), plan.toText() + "states=" + cfg.statesPerRun() + "\n"
                    + "oracle=" + v.oracle() + "\n" + "defect=" + (cause == null ? "" : cause.id()) + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("finding.txt"), v.oracle() + ": " + v.message() + "\n" + v.state() + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** What {@code campaign --reproduce DIR} found. */
    public record Reproduction(RunPlan plan, Oracles.Violation violation, String crashPoint) {
    }

    /** Replays a reproducer folder on a variant: the violation it shows, or null if it no longer fails. */
    public static Reproduction reproduce(Path dir, Variant variant) {
        Path planFile = dir.resolve("plan.txt");
        Path scriptFile = dir.resolve("script.era");
        if (!Files.isRegularFile(planFile) || !Files.isRegularFile(scriptFile)) {
            throw new BadInputException(dir + ": not a reproducer folder (needs plan.txt and script.era)");
        }
        long seed = 0;
        int window = 1;
        long crash = -1;
        int states = 16;
        try {
            for (String line : Files.readAllLines(planFile, StandardCharsets.UTF_8)) {
                String[] kv = line.split("=", 2);
                if (kv.length != 2) {
                    continue;
                }
                switch (kv[0]) {
                    case "seed" -> seed = Long.parseUnsignedLong(kv[1]);
                    case "window" -> window = Integer.parseInt(kv[1]);
                    case "crash_step" -> crash = Long.parseLong(kv[1]);
                    case "states" -> states = Integer.parseInt(kv[1]);
                    default -> { }
                }
            }
        } catch (IOException e) {
            throw new BadInputException(planFile + ": cannot read: " + e.getMessage());
        } catch (NumberFormatException e) {
            throw new BadInputException(planFile + ": bad number: " + e.getMessage());
        }
        if (window < 1) {
            throw new BadInputException(planFile + ": window must be at least 1");
        }
        WorkloadScript script = WorkloadParser.parse(scriptFile);
        RunPlan plan = new RunPlan(script, seed, window, crash);
        RunExecutor.Outcome o = RunExecutor.execute(variant::has, plan, RunGenerator.MAX_STEPS);
        Oracles.Checked c = Oracles.check(variant::has, o, seed, states);
        return new Reproduction(plan, c.first(), o.crashPoint());
    }
}
