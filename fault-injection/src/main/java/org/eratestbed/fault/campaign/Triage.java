package org.eratestbed.fault.campaign;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.FindingFolder;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * What happens to a failing run after the search found it: attribution, then (for the first finding of each
 * oracle and cause) shrinking, then the finding and its run record go to the log together. Each costs tens of
 * executions, so the campaign does it in small tasks between runs rather than inside the run that found it.
 *
 * <p>Every decision about run {@code r} — which defects attribution tries first, whether its finding is the
 * first of its kind and gets shrunk — depends only on the findings of runs before {@code r}. Tasks run in run
 * order, and a resumed campaign recalls the findings already in the log, so it decides exactly as an
 * uninterrupted one: the same result set, whichever runs a kill sent back to be redone.
 */
final class Triage {
    /**
     * The first findings of each oracle (per campaign shard) try the defects not yet detected whose catalogue
     * oracle is the finding's before the others, so that a defect which fails nearly every run (de89afc1 on
     * pre-5.12) does not take the credit for runs another defect fails alone too. Later findings skip that,
     * which saves one execution per undetected defect.
     */
    static final int EXPLORING_FINDINGS = 24;
    /** How many undetected defects one such finding tries first. */
    static final int EXPLORING_TRIES = 3;
    /** Guesses of a task's cost until one has been measured, in ms. */
    static final long ATTRIBUTION_GUESS_MS = 200;
    static final long SHRINK_GUESS_MS = 3_000;

    /**
     * A run that failed an oracle, as the search found it. Its run record waits with it, and so do the known
     * records of what the run's device faults explain ({@link DeviceFaultRecords}).
     */
    record Held(int run, long runSeed, RunPlan plan, Oracles.Violation violation, String crashPoint,
            List<Integer> schedule, RunRecord record, long tMs, List<KnownRecord> device) {
    }

    /**
     * A finding attributed and waiting to be shrunk. {@code earlier}: the record an earlier session wrote for
     * it whole, attributed but not shrunk (its budget ended first); its cause and kind stay as written.
     */
    private record Attributed(Held held, Attribution.Cause cause, Finding earlier) {
    }

    /** A run's finding as far as later decisions need it. */
    private record Past(String oracle, String defect) {
        String key() {
            return oracle + "/" + (defect == null ? "" : defect);
        }

        /** Whether the cause named {@code d}, alone or in a pair. */
        boolean names(Defect d) {
            return defect != null && List.of(defect.split("\\+")).contains(d.id());
        }
    }

    private final Campaign.Config cfg;
    private final ResultLog log;
    private final ArrayDeque<Held> toAttribute = new ArrayDeque<>();
    private final ArrayDeque<Attributed> toShrink = new ArrayDeque<>();
    private final TreeMap<Integer, Past> past = new TreeMap<>();
    private long processingNs;
    /** Moving averages of each task's cost: the first tasks run on a cold JIT and cost several times more. */
    private double attributionMs = ATTRIBUTION_GUESS_MS;
    private double shrinkMs = SHRINK_GUESS_MS;
    private int violations;
    private int known;
    private int written;
    private boolean superseding;

    Triage(Campaign.Config cfg, ResultLog log) {
        this.cfg = cfg;
        this.log = log;
    }

    /**
     * The findings an earlier session of this campaign already wrote, as far as they are what
     * {@link #attribute} decided: a device-fault record or a finding written as found (untriaged, harness)
     * never went through it, so remembering them would make a resumed session decide otherwise than an
     * uninterrupted one (they would count as earlier findings of their oracle).
     */
    void recall(List<Finding> earlier) {
        for (Finding f : earlier) {
            if (attributed(f)) {
                past.put(f.run(), new Past(f.oracle(), f.defect()));
            }
        }
    }

    /** The runs whose findings later decisions take into account (for tests). */
    List<Integer> recalledRuns() {
        return List.copyOf(past.keySet());
    }

    private static boolean attributed(Finding f) {
        return !Finding.UNTRIAGED.equals(f.defect()) && !DeviceFaultRecords.isDeviceFault(f.defect());
    }

    /**
     * From now on, findings supersede the batch their run already has in the log ({@link
     * ResultLog#supersedeRun}): this session triages what an earlier one wrote as found.
     */
    void superseding() {
        superseding = true;
    }

    /** Findings written (violations and known, device-fault records aside) in this session. */
    int written() {
        return written;
    }

    /**
     * Makes the reproducer folders those that the standing findings name (see {@link FindingFolder#tidy}),
     * when a results folder is opened again: what a killed session left half-written or never recorded goes.
     */
    static int tidy(Path out, List<Finding> standing) {
        Set<String> named = new HashSet<>();
        for (Finding f : standing) {
            named.add(folderName(f.run(), f.oracle(), DeviceFaultRecords.isDeviceFault(f.defect())));
        }
        return FindingFolder.tidy(out, named);
    }

    /** A finding's reproducer folder under {@code findings/}: one per run and oracle (and device or not). */
    static String folderName(int run, String oracle, boolean device) {
        return "run-" + run + "-" + (device ? "device-" : "") + oracle;
    }

    /**
     * The first finding of its kind (oracle and cause) that an earlier session wrote attributed but whole,
     * because its budget ended before the shrink: held again, for shrinking only. Its record is superseded
     * only if the plan gets smaller.
     */
    void holdForShrink(Held h, Finding earlier) {
        toShrink.addLast(new Attributed(h, null, earlier));
    }

    /**
     * The standing findings that {@link #attribute} made first of their kind (oracle and cause, in run order),
     * which are the ones a campaign shrinks.
     */
    static List<Finding> firstOfKind(List<Finding> standing) {
        Map<String, Finding> first = new LinkedHashMap<>();
        standing.stream().filter(Triage::attributed).filter(f -> !OracleIds.HARNESS.equals(f.oracle()))
                .sorted(java.util.Comparator.comparingInt(Finding::run))
                .forEach(f -> first.putIfAbsent(new Past(f.oracle(), f.defect()).key(), f));
        return List.copyOf(first.values());
    }

    /**
     * Writes what is attributed but not shrunk yet as found, and forgets what is not attributed yet: what a
     * session that triages earlier findings does when its budget ends (their untriaged records still stand).
     */
    void flushAttributed() {
        toAttribute.clear();
        while (!toShrink.isEmpty()) {
            step(false);
        }
    }

    /** A run without a dm-era finding: its device-fault records (if any) and its run record, at once. */
    void writeClean(List<KnownRecord> device, RunRecord record) {
        log.appendRun(device, record);
        known += device.size();
    }

    void hold(Held h) {
        toAttribute.addLast(h);
    }

    boolean idle() {
        return toAttribute.isEmpty() && toShrink.isEmpty();
    }

    int backlog() {
        return toAttribute.size() + toShrink.size();
    }

    /** Time spent on tasks so far. */
    long processingNs() {
        return processingNs;
    }

    /** How long the tasks waiting now would take, at the average cost measured so far. */
    long backlogMs() {
        return (long) (toAttribute.size() * attributionMs + toShrink.size() * shrinkMs);
    }

    int violations() {
        return violations;
    }

    int known() {
        return known;
    }

    /** What the next task is expected to cost, in ms, at the averages measured so far; 0 when idle. */
    long nextTaskMs() {
        return !toShrink.isEmpty() ? (long) shrinkMs : toAttribute.isEmpty() ? 0 : (long) attributionMs;
    }

    /**
     * One task: shrink and write the oldest first finding of its kind ({@code shrink} false: write it as found,
     * when the campaign has no time left to shrink) or, when none waits, attribute the oldest held finding.
     * Shrinks go first: a first finding is what a user replays, and on a variant that fails most runs the
     * attributions of later findings (mostly of kinds already seen) would otherwise take the whole budget and
     * leave every first one unshrunk.
     */
    void step(boolean shrink) {
        long t0 = System.nanoTime();
        if (toShrink.isEmpty() && !toAttribute.isEmpty()) {
            attribute(toAttribute.pollFirst());
            attributionMs = 0.8 * attributionMs + 0.2 * (System.nanoTime() - t0) / 1e6;
        } else if (!toShrink.isEmpty()) {
            Attributed a = toShrink.pollFirst();
            if (!shrink) {
                Held h = a.held();
                if (a.earlier() == null) {
                    write(a, h.plan(), h.violation(), h.crashPoint(), h.schedule());
                }
                processingNs += System.nanoTime() - t0;
                return;
            }
            shrinkAndWrite(a);
            shrinkMs = 0.5 * shrinkMs + 0.5 * (System.nanoTime() - t0) / 1e6;
        }
        processingNs += System.nanoTime() - t0;
    }

    /**
     * A run the testbed could not execute: written at once as an untriaged {@code harness} violation with its
     * reproducer (no attribution or shrinking, which would run the same code again).
     */
    void writeHarnessError(int run, long runSeed, RunPlan plan, RunRecord record, long tMs, RuntimeException e) {
        Oracles.Violation v = Oracles.Violation.harness(e);
        Held h = new Held(run, runSeed, plan, v, "none", List.of(), record, tMs, List.of());
        writeAs(h, Finding.UNTRIAGED, false, plan, v, "none", List.of());
    }

    /**
     * The budget is spent: writes every finding still held as found, at no cost. Attributed ones keep their
     * cause and their whole plan; those not attributed yet become violations whose defect is
     * {@link Finding#UNTRIAGED}. Returns how many were not attributed.
     */
    int flushUntriaged() {
        int untriaged = toAttribute.size();
        while (!toAttribute.isEmpty()) {
            Held h = toAttribute.pollFirst();
            writeAs(h, Finding.UNTRIAGED, false, h.plan(), h.violation(), h.crashPoint(), h.schedule());
        }
        while (!toShrink.isEmpty()) {
            step(false);
        }
        return untriaged;
    }

    private void attribute(Held h) {
        String oracle = h.violation().oracle();
        Attribution.Cause cause = Attribution.cause(cfg.variant(), h.plan(), oracle, cfg.statesPerRun(), h.runSeed(),
                tryFirst(h.run(), oracle));
        Past p = new Past(oracle, cause == null ? null : cause.id());
        Map<Integer, Past> before = past.headMap(h.run());
        boolean first = before.values().stream().noneMatch(x -> x.key().equals(p.key()));
        past.put(h.run(), p);
        if (first) {
            toShrink.addLast(new Attributed(h, cause, null));
        } else {
            // Later findings of a kind keep their whole plan: it replays as well, it is only longer.
            write(h, cause, h.plan(), h.violation(), h.crashPoint(), h.schedule());
        }
    }

    /**
     * The order in which attribution tries single defects, from the findings of runs before {@code run} only.
     * First, while this oracle has had few findings, up to {@link #EXPLORING_TRIES} of the undetected defects
     * catalogued under its oracle (or its family), rotating with the run index. Then the defects that explained earlier findings of this oracle, most often first: the
     * common cause of a variant (de89afc1 on pre-5.12) is then tried first and most findings cost one
     * execution instead of one per defect ahead of it in the catalogue. Attribution tries the rest after.
     */
    private List<Defect> tryFirst(int run, String oracle) {
        Map<Integer, Past> before = past.headMap(run);
        List<Past> sameOracle = before.values().stream().filter(x -> x.oracle().equals(oracle)).toList();
        List<Defect> out = new ArrayList<>();
        if (sameOracle.size() < EXPLORING_FINDINGS) {
            List<Defect> undetected = new ArrayList<>();
            for (Defect d : cfg.variant().defects()) {
                if (sameFamily(d.oracle().id(), oracle) && before.values().stream().noneMatch(x -> x.names(d))) {
                    undetected.add(d);
                }
            }
            // A few per finding, a different few for each run: each costs a whole execution when it does not
            // reproduce, and a variant with every defect live has eight undetected lost-write candidates.
            for (int i = 0; i < Math.min(EXPLORING_TRIES, undetected.size()); i++) {
                out.add(undetected.get((run + i) % undetected.size()));
            }
        }
        Map<Defect, Long> counts = new EnumMap<>(Defect.class);
        for (Past x : sameOracle) {
            for (Defect d : cfg.variant().defects()) {
                if (x.names(d)) {
                    counts.merge(d, 1L, Long::sum);
                }
            }
        }
        counts.entrySet().stream()
                .sorted(Map.Entry.<Defect, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .filter(d -> !out.contains(d))
                .forEach(out::add);
        return out;
    }

    /**
     * A lost write is "in-flight" or "tracking" by when it was issued relative to a checkpoint, which is the
     * schedule's doing, not the defect's: a defect catalogued under one can show under the other.
     */
    private static boolean sameFamily(String catalogued, String found) {
        List<String> lostWrite = List.of(OracleIds.TRACKING, OracleIds.IN_FLIGHT);
        return catalogued.equals(found) || lostWrite.contains(catalogued) && lostWrite.contains(found);
    }

    private void shrinkAndWrite(Attributed a) {
        Held h = a.held();
        Predicate<Defect> live = cfg.variant()::has;
        Oracles.Violation v = h.violation();
        // A finding an earlier session wrote whole keeps its defect id, which is all the shrinker needs.
        Shrinker.Keep keeps = a.earlier() == null ? Shrinker.keeping(a.cause()) : keeping(a.earlier().defect());
        RunPlan small = Shrinker.shrink(live, keeps, h.plan(), v.oracle(), cfg.statesPerRun(), h.runSeed());
        String crashPoint = h.crashPoint();
        List<Integer> schedule = h.schedule();
        if (small == h.plan() && a.earlier() != null) {
            return; // what was written stands: it cannot be made smaller
        }
        if (small != h.plan()) {
            // Record what the reproducer shows: the shrunk plan's own violation, crash point and choices.
            RunExecutor.Outcome so = RunExecutor.execute(live, small, RunGenerator.MAX_STEPS);
            String oracle = v.oracle();
            Oracles.Violation found = v;
            v = Oracles.check(live, so, h.runSeed(), cfg.statesPerRun()).violations().stream()
                    .filter(x -> x.oracle().equals(oracle)).findFirst().orElse(found);
            crashPoint = so.crashPoint();
            schedule = Schedule.of(so);
        }
        write(a, small, v, crashPoint, schedule);
    }

    /** What shrinking keeps of a recorded defect id ({@code a+b} for a pair); an id this build lacks keeps nothing more. */
    private static Shrinker.Keep keeping(String defectId) {
        if (defectId == null) {
            return Shrinker.keeping(List.of());
        }
        List<Defect> cause = new ArrayList<>();
        for (String id : defectId.split("\\+")) {
            Optional<Defect> d = Defect.find(id);
            if (d.isEmpty()) {
                return Shrinker.Keep.VARIANT;
            }
            cause.add(d.get());
        }
        return Shrinker.keeping(cause);
    }

    private void write(Attributed a, RunPlan plan, Oracles.Violation v, String crashPoint, List<Integer> schedule) {
        if (a.earlier() != null) {
            writeAs(a.held(), a.earlier().defect(), a.earlier() instanceof KnownRecord, plan, v, crashPoint, schedule);
        } else {
            write(a.held(), a.cause(), plan, v, crashPoint, schedule);
        }
    }

    private void write(Held h, Attribution.Cause cause, RunPlan plan, Oracles.Violation v, String crashPoint,
            List<Integer> schedule) {
        writeAs(h, cause == null ? null : cause.id(),
                cause != null && cause.upstream() && cfg.variant() != Variant.HARDENED, plan, v, crashPoint, schedule);
    }

    private void writeAs(Held h, String defectId, boolean isKnown, RunPlan plan, Oracles.Violation v,
            String crashPoint, List<Integer> schedule) {
        Path dir = writeReproducer(h.run(), h.runSeed(), v, plan, defectId, schedule);
        String reproduce = "era-testbed campaign --reproduce " + dir + " --variant " + cfg.variant().id();
        String shard = h.record().shard();
        Finding f;
        if (isKnown) {
            f = new KnownRecord(shard, h.run(), h.runSeed(), cfg.variant().id(), v.oracle(), defectId, v.message(),
                    crashPoint, v.state(), plan.script().toText(), schedule, reproduce, h.tMs());
            known++;
        } else {
            f = new ViolationRecord(shard, h.run(), h.runSeed(), cfg.variant().id(), v.oracle(), defectId,
                    v.message(), crashPoint, v.state(), plan.script().toText(), schedule, reproduce, h.tMs());
            violations++;
        }
        List<Finding> all = new ArrayList<>(h.device());
        all.add(f);
        written++;
        if (superseding) {
            // the device-fault records are those already in the run's batch: the new batch keeps them
            log.supersedeRun(all, h.record());
            return;
        }
        known += h.device().size();
        log.appendRun(all, h.record());
    }

    private Path writeReproducer(int run, long runSeed, Oracles.Violation v, RunPlan plan, String defectId,
            List<Integer> schedule) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("script.era", plan.script().toText());
        files.put("plan.txt", plan.toText() + Campaign.statesLines(cfg.statesPerRun(), runSeed) + "oracle="
                + v.oracle() + "\n" + "defect=" + (defectId == null ? "" : defectId) + "\n");
        files.put("schedule.txt", Schedule.toText(schedule));
        files.put("finding.txt", v.oracle() + ": " + v.message() + "\n" + v.state() + "\n");
        return FindingFolder.write(cfg.out(), folderName(run, v.oracle(), false), files);
    }
}
