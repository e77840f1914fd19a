package org.eratestbed.fault.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ResultReader;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * A fault-injection campaign on the model: runs numbered 0, 1, 2… each derived from the campaign seed and
 * its index alone, so a run is the same whenever and wherever it is executed — which is what makes a killed
 * campaign resumable (finished runs are skipped, the log drops a torn line) and a campaign splittable into
 * shards (run i belongs to shard i mod N). Each violation is attributed to the catalogued defect (or pair of
 * defects) that causes it, shrunk, and written out as a reproducer folder with one command to replay it.
 *
 * <p>Attributing and shrinking cost tens of executions each, so they are kept off the search's critical path:
 * a failing run is held back with its detection time and handed to {@link Triage}, which works through held
 * findings in run order in at most {@link #PROCESSING_SHARE} of the time so far; the search stops when what
 * is still held needs the rest of the budget. A held run's record is written only with its finding, so a
 * killed campaign redoes that run.
 *
 * <p>A time budget bounds triage as well: no task starts that is expected to end past the budget, and what is
 * still held when it is spent is written as found (attributed findings unshrunk, the others as violations of
 * defect {@link org.eratestbed.fault.result.Finding#UNTRIAGED}), each with a reproducer folder that {@code
 * campaign --reproduce} replays. A campaign of a set number of runs triages everything. Runs whose device faults
 * explain a violation get known records ({@link DeviceFaultRecords}) written with their run record.
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

    /**
     * Progress after each run (or each finding processed late), for a bar or plain lines. {@code pending}:
     * findings waiting for triage; in the last report ({@code run} -1, {@code pending} then counts them), those
     * the budget left unattributed and that were written with the defect {@code untriaged}.
     */
    public record Progress(int run, int runsDone, long statesChecked, int violations, int known, int pending,
            long elapsedMs) {
    }

    /**
     * While the search runs, at most this share of the time so far goes to attributing and shrinking. The
     * search has at least half the budget; after that it stops when what is still held would need the rest.
     */
    static final double PROCESSING_SHARE = 0.25;

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
            Triage triage = new Triage(cfg, log);
            triage.recall(ResultReader.read(cfg.out()).findings());
            long states = 0;
            int untriaged = 0;
            int done = log.completedRuns().size();
            for (int run = cfg.shardK() - 1; ; run += cfg.shardN()) {
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                long budgetMs = cfg.budget().toMillis();
                if (cfg.runs() > 0 ? run >= cfg.runs() : elapsedMs >= budgetMs
                        || elapsedMs >= budgetMs / 2 && elapsedMs + triage.backlogMs() >= budgetMs) {
                    break;
                }
                if (log.isComplete(run)) {
                    continue;
                }
                long t0 = System.nanoTime();
                long runSeed = runSeed(cfg.seed(), run);
                Predicate<Defect> live = cfg.variant()::has;
                RunPlan plan = RunGenerator.basePlan(runSeed);
                RunExecutor.Outcome o;
                Oracles.Checked c;
                try {
                    plan = RunGenerator.plan(live, runSeed);
                    o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
                    c = Oracles.check(live, o, runSeed, cfg.statesPerRun());
                } catch (RuntimeException e) {
                    // A testbed bug on this run must not end the campaign (a resumed one would stop at the same
                    // run again): the run is written as a harness finding, replayable, and the search goes on.
                    long tMs = clockBase + (System.nanoTime() - start) / 1_000_000;
                    triage.writeHarnessError(run, runSeed, plan, new RunRecord(cfg.shard(), run, runSeed,
                            cfg.variant().id(), 0, "none", CrashKind.NONE, java.math.BigInteger.ZERO, 0,
                            (System.nanoTime() - t0) / 1_000_000, tMs), tMs, e);
                    done++;
                    continue;
                }
                long tMs = clockBase + (System.nanoTime() - start) / 1_000_000;
                states += c.statesChecked();
                RunRecord record = new RunRecord(cfg.shard(), run, runSeed, cfg.variant().id(), o.steps(),
                        o.crashPoint(), o.kind(), c.statesTotal(), c.statesChecked(),
                        (System.nanoTime() - t0) / 1_000_000, tMs);
                // What the run's device faults explain is known, never a failure; it is written with the run.
                List<KnownRecord> device = DeviceFaultRecords.known(cfg.out(), cfg.shard(), run, runSeed,
                        cfg.variant().id(), plan, o.crashPoint(), c, cfg.statesPerRun(), tMs);
                if (c.first() == null) {
                    triage.writeClean(device, record);
                } else {
                    // Held with its detection time; its run record is written with the finding.
                    triage.hold(new Triage.Held(run, runSeed, plan, c.first(), o.crashPoint(), Schedule.of(o),
                            record, tMs, device));
                }
                done++;
                while (!triage.idle() && triage.processingNs() <= PROCESSING_SHARE * (System.nanoTime() - start)
                        && (cfg.runs() > 0 || (System.nanoTime() - start) / 1_000_000 + triage.nextTaskMs()
                                <= cfg.budget().toMillis())) {
                    triage.step(true);
                }
                progress.accept(new Progress(run, done, states, triage.violations(), triage.known(),
                        triage.backlog(), (System.nanoTime() - start) / 1_000_000));
            }
            while (!triage.idle()) {
                // A time budget bounds triage too: a task that would end past the budget is not started, and
                // what is still held is written as found (see Triage#flushUntriaged). A campaign of a set
                // number of runs always attributes and shrinks everything, so its result set is a function
                // of its seed alone.
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                if (cfg.runs() <= 0 && elapsedMs + triage.nextTaskMs() > cfg.budget().toMillis()) {
                    untriaged = triage.flushUntriaged();
                    break;
                }
                triage.step(true);
                progress.accept(new Progress(-1, done, states, triage.violations(), triage.known(),
                        triage.backlog(), (System.nanoTime() - start) / 1_000_000));
            }
            progress.accept(new Progress(-1, done, states, triage.violations(), triage.known(), untriaged,
                    (System.nanoTime() - start) / 1_000_000));
            log.append(new DoneRecord(cfg.shard(), log.completedRuns().size(), log.statesChecked(), log.violations(),
                    clockBase + (System.nanoTime() - start) / 1_000_000));
        }
        return cfg.out();
    }

    /** A run's seed: a function of the campaign seed and the run index only. */
    static long runSeed(long campaignSeed, int run) {
        return new SplittableRandom(campaignSeed ^ (0x9E3779B97F4A7C15L * (run + 1))).nextLong();
    }

    /** What {@code campaign --reproduce DIR} found. */
    public record Reproduction(RunPlan plan, Oracles.Violation violation, String crashPoint,
            List<Oracles.Expected> expected) {
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
        List<String> lines;
        try {
            lines = Files.readAllLines(planFile, StandardCharsets.UTF_8);
            for (String line : lines) {
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
        // A finding from a run with device faults replays on the same faulty disks, or it shows nothing.
        RunPlan plan = new RunPlan(script, seed, window, crash).withFaultLines(lines);
        try {
            RunExecutor.Outcome o = RunExecutor.execute(variant::has, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(variant::has, o, seed, states);
            return new Reproduction(plan, c.first(), o.crashPoint(), c.expected());
        } catch (RuntimeException e) {
            // a harness finding replays as what it was: the testbed failing on this run
            return new Reproduction(plan, Oracles.Violation.harness(e), "none", List.of());
        }
    }
}
