package org.eratestbed.fault.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.ResultReader;
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
 * shards (run i belongs to shard i mod N). Each violation is attributed to the catalogued defect (or pair of
 * defects) that causes it, shrunk, and written out as a reproducer folder with one command to replay it.
 *
 * <p>Attributing and shrinking cost tens of executions each, so they are kept off the search's critical path:
 * a failing run is held back with its detection time, and held findings are processed in run order, in at
 * most {@link #PROCESSING_SHARE} of the time so far, the rest after the budget. A held run's record is
 * written only with its finding, so a killed campaign redoes that run; processing in run order makes what is
 * shrunk and which cause gets the credit the same in a resumed campaign as in an uninterrupted one.
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

    /** Progress after each run (or each finding processed late), for a bar or plain lines. */
    public record Progress(int run, int runsDone, long statesChecked, int violations, int known, int pending,
            long elapsedMs) {
    }

    /**
     * At most this share of the time so far goes to attributing and shrinking findings while the search
     * runs; the rest is search. What is left when the budget ends is done after it.
     */
    static final double PROCESSING_SHARE = 0.25;

    private final Config cfg;

    public Campaign(Config cfg) {
        this.cfg = cfg;
    }

    /**
     * A run that failed an oracle, as found: its run record waits with it until the finding is attributed and
     * shrunk, so a campaign killed before that redoes the run (it is the same run) rather than losing it.
     */
    private record Pending(int run, long runSeed, RunPlan plan, Oracles.Violation violation, String crashPoint,
            List<Integer> schedule, RunRecord record, long tMs) {
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
            Session s = new Session(log, start, log.lastTms());
            s.recall(ResultReader.read(cfg.out()).findings());
            for (int run = cfg.shardK() - 1; ; run += cfg.shardN()) {
                long elapsedMs = s.elapsedMs();
                if (cfg.runs() > 0 ? run >= cfg.runs() : elapsedMs >= cfg.budget().toMillis()) {
                    break;
                }
                if (log.isComplete(run)) {
                    continue;
                }
                s.search(run);
                // Findings are processed in run order, in a bounded share of the time: a first finding no
                // longer holds up the search for the next defect.
                while (!s.pending.isEmpty() && s.processingNs <= PROCESSING_SHARE * (System.nanoTime() - start)) {
                    s.process(s.pending.pollFirst());
                }
                progress.accept(s.progress(run));
            }
            while (!s.pending.isEmpty()) {
                Pending p = s.pending.pollFirst();
                s.process(p);
                progress.accept(s.progress(p.run()));
            }
            log.append(new DoneRecord(cfg.shard(), log.completedRuns().size(), log.statesChecked(), log.violations(),
                    s.clock()));
        }
        return cfg.out();
    }

    /** One session's state: what it found so far, what waits to be attributed, the clock. */
    private final class Session {
        final ResultLog log;
        final long start;
        final long clockBase;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        /** Oracle and cause of each finding already shrunk: only the first of each is. */
        final Set<String> shrunk = new HashSet<>();
        /** Defects some finding was attributed to, earlier sessions included. */
        final Set<Defect> detected = EnumSet.noneOf(Defect.class);
        long processingNs;
        long states;
        int violations;
        int known;
        int done;

        Session(ResultLog log, long start, long clockBase) {
            this.log = log;
            this.start = start;
            this.clockBase = clockBase;
            this.done = log.completedRuns().size();
        }

        long elapsedMs() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        long clock() {
            return clockBase + elapsedMs();
        }

        /** A resumed campaign decides what to shrink and what to try first as the first session would have. */
        void recall(List<Finding> earlier) {
            for (Finding f : earlier) {
                String defect = f.defect() == null ? "" : f.defect();
                shrunk.add(f.oracle() + "/" + defect);
                List<String> ids = List.of(defect.split("\\+"));
                for (Defect d : Defect.values()) {
                    if (ids.contains(d.id())) {
                        detected.add(d);
                    }
                }
            }
        }

        void search(int run) {
            long t0 = System.nanoTime();
            long runSeed = runSeed(cfg.seed(), run);
            Predicate<Defect> live = cfg.variant()::has;
            RunPlan plan = RunGenerator.plan(live, runSeed);
            RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
            Oracles.Checked c = Oracles.check(live, o, runSeed, cfg.statesPerRun());
            long tMs = clock();
            states += c.statesChecked();
            RunRecord record = new RunRecord(cfg.shard(), run, runSeed, cfg.variant().id(), o.steps(),
                    o.crashPoint(), o.kind(), c.statesTotal(), c.statesChecked(), (System.nanoTime() - t0) / 1_000_000,
                    clock());
            done++;
            if (c.first() == null) {
                log.appendRun(List.of(), record);
            } else {
                pending.addLast(new Pending(run, runSeed, plan, c.first(), o.crashPoint(),
                        Schedule.of(o), record, tMs));
            }
        }

        void process(Pending p) {
            long t0 = System.nanoTime();
            Predicate<Defect> live = cfg.variant()::has;
            Oracles.Violation v = p.violation();
            Attribution.Cause cause = Attribution.cause(cfg.variant(), p.plan(), v.oracle(), cfg.statesPerRun(),
                    p.runSeed(), EnumSet.complementOf(toEnumSet(detected)));
            String defectId = cause == null ? null : cause.id();
            // Shrinking costs many executions: done for the first finding of each oracle and cause; later ones
            // keep their whole (still replayable) plan.
            boolean first = shrunk.add(v.oracle() + "/" + (defectId == null ? "" : defectId));
            RunPlan small = first ? Shrinker.shrink(live, p.plan(), v.oracle(), cfg.statesPerRun(), p.runSeed())
                    : p.plan();
            String crashPoint = p.crashPoint();
            List<Integer> schedule = p.schedule();
            if (small != p.plan()) {
                // Record what the reproducer shows: the shrunk plan's own violation, crash point and choices.
                RunExecutor.Outcome so = RunExecutor.execute(live, small, RunGenerator.MAX_STEPS);
                String oracle = v.oracle();
                Oracles.Violation found = v;
                v = Oracles.check(live, so, p.runSeed(), cfg.statesPerRun()).violations().stream()
                        .filter(x -> x.oracle().equals(oracle)).findFirst().orElse(found);
                crashPoint = so.crashPoint();
                schedule = Schedule.of(so);
            }
            Path dir = writeReproducer(p.run(), v, small, defectId, schedule);
            String reproduce = "era-testbed campaign --reproduce " + dir + " --variant " + cfg.variant().id();
            Finding f;
            if (cause != null && cause.upstream() && cfg.variant() != Variant.HARDENED) {
                f = new KnownRecord(cfg.shard(), p.run(), p.runSeed(), cfg.variant().id(), v.oracle(), defectId,
                        v.message(), crashPoint, v.state(), small.script().toText(), schedule, reproduce, p.tMs());
                known++;
            } else {
                f = new ViolationRecord(cfg.shard(), p.run(), p.runSeed(), cfg.variant().id(), v.oracle(), defectId,
                        v.message(), crashPoint, v.state(), small.script().toText(), schedule, reproduce, p.tMs());
                violations++;
            }
            if (cause != null) {
                detected.addAll(cause.defects());
            }
            log.appendRun(List.of(f), p.record());
            processingNs += System.nanoTime() - t0;
        }

        Progress progress(int run) {
            return new Progress(run, done, states, violations, known, pending.size(), elapsedMs());
        }
    }

    private static EnumSet<Defect> toEnumSet(Set<Defect> s) {
        return s.isEmpty() ? EnumSet.noneOf(Defect.class) : EnumSet.copyOf(s);
    }

    /** A run's seed: a function of the campaign seed and the run index only. */
    static long runSeed(long campaignSeed, int run) {
        return new SplittableRandom(campaignSeed ^ (0x9E3779B97F4A7C15L * (run + 1))).nextLong();
    }

    private Path writeReproducer(int run, Oracles.Violation v, RunPlan plan, String defectId, List<Integer> schedule) {
        Path dir = cfg.out().resolve("findings").resolve("run-" + run + "-" + v.oracle());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("script.era"), plan.script().toText(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("plan.txt"), plan.toText() + "states=" + cfg.statesPerRun() + "\n"
                    + "oracle=" + v.oracle() + "\n" + "defect=" + (defectId == null ? "" : defectId) + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("schedule.txt"), Schedule.toText(schedule), StandardCharsets.UTF_8);
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
