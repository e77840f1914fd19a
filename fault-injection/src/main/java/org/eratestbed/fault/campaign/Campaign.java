package org.eratestbed.fault.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.FindingFolder;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.result.ResultLog;
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
 *
 * <p>A finished campaign (its done record written) started again runs nothing new: it triages, within the new
 * session's budget, the findings it wrote as found, and the new records supersede the old ones in the
 * append-only log; {@link #triage} ({@code campaign --triage DIR}) does the same without a time limit.
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
    /**
     * How much longer than its moving-average estimate the backlog of triage may take. Costs differ with the
     * mix of findings (an M1 finding is attributed in two replays, a new kind in up to a dozen), and an upstream
     * seed-2 minute whose estimate ran 30% short stopped its runs too late and left 28 findings untriaged, which
     * the campaign must report as violations.
     */
    static final double BACKLOG_MARGIN = 1.4;

    private final Config cfg;

    public Campaign(Config cfg) {
        this.cfg = cfg;
    }

    /**
     * What one session did: {@code runs} executed, {@code triaged} findings written as found by an earlier
     * session and now triaged, {@code untriaged} findings still written as found when it ended.
     */
    public record Session(Path out, int runs, int triaged, int untriaged) {
        /** Whether this session changed the results (a session that found the campaign finished may not). */
        public boolean changed() {
            return runs > 0 || triaged > 0;
        }
    }

    /**
     * Runs (or resumes) the campaign. A campaign that already finished runs nothing new: started again, it
     * triages the findings it wrote as found ({@link Finding#UNTRIAGED}) within this session's budget (all of
     * them, for a campaign of a set number of runs), see {@link #triage}.
     */
    public Session run(Consumer<Progress> progress) {
        CampaignInfo info = CampaignInfo.of(cfg.seed(), cfg.variant().id(), cfg.budgetText(), cfg.shard(),
                Instant.now(), cfg.toolVersion());
        long start = System.nanoTime();
        try (ResultLog log = ResultLog.open(cfg.out(), info)) {
            Triage.tidy(cfg.out(), log.findings());
            Triage triage = new Triage(cfg, log);
            triage.recall(log.findings());
            if (log.done().isPresent()) {
                return triageLeft(log, triage, cfg.runs() > 0 ? null : cfg.budget(), start, progress);
            }
            long clockBase = log.lastTms();
            int ranHere = 0;
            long states = 0;
            int untriaged = 0;
            int done = log.completedRuns().size();
            for (int run = cfg.shardK() - 1; ; run += cfg.shardN()) {
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                long budgetMs = cfg.budget().toMillis();
                if (cfg.runs() > 0 ? run >= cfg.runs() : elapsedMs >= budgetMs
                        || elapsedMs >= budgetMs / 2 && elapsedMs + BACKLOG_MARGIN * triage.backlogMs() >= budgetMs) {
                    break;
                }
                if (log.isComplete(run)) {
                    continue;
                }
                long t0 = System.nanoTime();
                ranHere++;
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
            return new Session(cfg.out(), ranHere, 0, untriaged);
        }
    }

    /**
     * {@code campaign --triage DIR}: triages the findings the campaign in {@code dir} wrote as found, in run
     * order, within {@code budget} (null: all of them), whether or not its search finished, with the
     * campaign's own seed, variant and shard (from {@code campaign.json}) and the crash states per run its
     * reproducers name.
     */
    public static Session triage(Path dir, Duration budget, String toolVersion, Consumer<Progress> progress) {
        CampaignInfo info = ResultLog.campaignIn(dir);
        long start = System.nanoTime();
        try (ResultLog log = ResultLog.open(dir, info)) {
            Triage.tidy(dir, log.findings());
            List<Finding> left = untriaged(log.findings());
            Config cfg = configOf(info, dir, left.isEmpty() ? 16 : statesOf(dir, left.get(0)), toolVersion);
            Triage triage = new Triage(cfg, log);
            triage.recall(log.findings());
            return new Campaign(cfg).triageLeft(log, triage, budget, start, progress);
        }
    }

    /**
     * Triages what earlier sessions wrote as found. Each such run is run again (it is a function of its seed)
     * to get back what its finding needs, then attributed and, first of its kind, shrunk, exactly as the
     * campaign would have; the new batch supersedes the run's earlier one in the log. Then the first finding
     * of each kind that was written whole (attributed, but the budget ended before its shrink) is shrunk. Nothing
     * new is run. When the budget ends, the findings not attributed yet keep their untriaged records; if the
     * campaign had finished, a new done record follows what was triaged.
     */
    private Session triageLeft(ResultLog log, Triage triage, Duration budget, long start,
            Consumer<Progress> progress) {
        List<Finding> left = untriaged(log.findings());
        triage.superseding();
        long clockBase = log.lastTms();
        Predicate<Defect> live = cfg.variant()::has;
        int taken = 0;
        for (Finding f : left) {
            if (budget != null && elapsedMs(start) >= budget.toMillis()) {
                break;
            }
            taken++;
            Triage.Held h = rerun(live, f, log);
            if (h != null) {
                triage.hold(h);
            }
            while (!triage.idle() && (budget == null || elapsedMs(start) + triage.nextTaskMs() <= budget.toMillis())) {
                triage.step(true);
            }
            progress.accept(new Progress(f.run(), taken, 0, triage.violations(), triage.known(),
                    left.size() - taken + triage.backlog(), elapsedMs(start)));
        }
        // Then the first findings of their kind written whole when a budget ended before their shrink (they
        // are the ones users replay first), now that the untriaged ones may have become first of their kind.
        for (Finding f : Triage.firstOfKind(log.findings())) {
            if (budget != null && elapsedMs(start) + triage.nextTaskMs() >= budget.toMillis()) {
                break;
            }
            if (!RunGenerator.basePlan(f.seed()).script().toText().equals(f.script())) {
                continue; // shrunk already (the script alone tells, without running anything)
            }
            Triage.Held h = rerun(live, f, log);
            if (h != null) {
                triage.holdForShrink(h, f);
                while (!triage.idle() && (budget == null
                        || elapsedMs(start) + triage.nextTaskMs() <= budget.toMillis())) {
                    triage.step(true);
                }
            }
        }
        triage.flushAttributed();
        int untriaged = untriaged(log.findings()).size();
        if (log.doneBehind()) {
            log.append(new DoneRecord(cfg.shard(), log.completedRuns().size(), log.statesChecked(), log.violations(),
                    clockBase + elapsedMs(start)));
        }
        progress.accept(new Progress(-1, taken, 0, triage.violations(), triage.known(), untriaged, elapsedMs(start)));
        return new Session(cfg.out(), 0, triage.written(), untriaged);
    }

    /** A finding written as found, held again: its run run again. Null if it no longer fails that way. */
    private Triage.Held rerun(Predicate<Defect> live, Finding f, ResultLog log) {
        RunRecord record = log.runRecord(f.run()).orElseThrow();
        List<KnownRecord> device = log.findings().stream()
                .filter(x -> x.run() == f.run() && x instanceof KnownRecord k && DeviceFaultRecords.isDeviceFault(
                        k.defect()))
                .map(KnownRecord.class::cast).toList();
        try {
            RunPlan plan = RunGenerator.plan(live, f.seed());
            RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
            Oracles.Violation v = Oracles.check(live, o, f.seed(), cfg.statesPerRun()).first();
            if (v == null || !v.oracle().equals(f.oracle())) {
                // Not what was written (another --states, or another build): its record stays as it is.
                return null;
            }
            return new Triage.Held(f.run(), f.seed(), plan, v, o.crashPoint(), Schedule.of(o), record, f.tMs(), device);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The findings written as found that triage can take up, in run order (harness failures are not). */
    static List<Finding> untriaged(List<Finding> standing) {
        return standing.stream()
                .filter(f -> Finding.UNTRIAGED.equals(f.defect()) && !OracleIds.HARNESS.equals(f.oracle()))
                .sorted(Comparator.comparingInt(Finding::run)).toList();
    }

    private static long elapsedMs(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The campaign a results folder holds, as a configuration (its budget text is "N runs" or "Ns"). */
    static Config configOf(CampaignInfo info, Path dir, int states, String toolVersion) {
        String[] kn = info.shard().split("/");
        String budget = info.budget();
        int runs = 0;
        Duration d = Duration.ZERO;
        try {
            if (budget.endsWith(" runs")) {
                runs = Integer.parseInt(budget.substring(0, budget.length() - " runs".length()));
            } else if (budget.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(budget.substring(0, budget.length() - 1)));
            } else {
                throw new NumberFormatException(budget);
            }
        } catch (NumberFormatException e) {
            throw new BadInputException(dir + ": campaign budget '" + budget + "' is neither 'N runs' nor 'Ns'");
        }
        return new Config(info.seed(), Variant.parse(info.variant()), d, runs, Integer.parseInt(kn[0]),
                Integer.parseInt(kn[1]), dir, states, toolVersion);
    }

    /** The crash states per run a finding's reproducer names ({@code states=} in its plan), 16 if none. */
    private static int statesOf(Path dir, Finding f) {
        Path plan = dir.resolve(FindingFolder.FOLDER).resolve(Triage.folderName(f.run(), f.oracle(), false))
                .resolve("plan.txt");
        try {
            for (String line : Files.readAllLines(plan, StandardCharsets.UTF_8)) {
                if (line.startsWith("states=")) {
                    return Integer.parseInt(line.substring("states=".length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new BadInputException(plan + ": cannot read the crash states per run: " + e.getMessage());
        }
        return 16;
    }

    /** A run's seed: a function of the campaign seed and the run index only. */
    public static long runSeed(long campaignSeed, int run) {
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
        Long stateSeed = null;
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
                    case "state_seed" -> stateSeed = Long.parseUnsignedLong(kv[1]);
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
        // Folders from before state_seed was written: their states were selected by the run seed, which they do
        // not name, so the scheduler seed stands in and the same crash point may show other states.
        return replay(plan, states, stateSeed == null ? seed : stateSeed, variant::has);
    }

    /**
     * The plan.txt lines that say which crash states a finding was seen in: how many were checked, and the seed
     * that selected them (the run seed, which is not the plan's scheduler seed).
     */
    static String statesLines(int states, long runSeed) {
        return "states=" + states + "\nstate_seed=" + Long.toUnsignedString(runSeed) + "\n";
    }

    /**
     * Runs {@code plan} with {@code live} defects and checks {@code states} crash states selected by {@code
     * stateSeed} (the campaign's run seed), as {@code campaign --reproduce} does: for scenarios that replay a
     * campaign's finding.
     */
    public static Reproduction replay(RunPlan plan, int states, long stateSeed, Predicate<Defect> live) {
        try {
            RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(live, o, stateSeed, states);
            return new Reproduction(plan, c.first(), o.crashPoint(), c.expected());
        } catch (RuntimeException e) {
            // a harness finding replays as what it was: the testbed failing on this run
            return new Reproduction(plan, Oracles.Violation.harness(e), "none", List.of());
        }
    }
}
