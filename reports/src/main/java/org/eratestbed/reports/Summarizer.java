package org.eratestbed.reports;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.result.Results;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ShardResults;

/** Computes a {@link CampaignSummary} from merged results. */
public final class Summarizer {
    private Summarizer() {
    }

    public static CampaignSummary summarize(Results results) {
        List<CampaignSummary.ShardRow> rows = new ArrayList<>();
        TreeSet<String> variants = new TreeSet<>();
        TreeSet<Long> seeds = new TreeSet<>();
        int runs = 0;
        long statesChecked = 0;
        BigInteger statesTotal = BigInteger.ZERO;
        long elapsed = 0;
        Map<String, Integer> byOracle = new LinkedHashMap<>();
        OracleIds.ALL.forEach(o -> byOracle.put(o, 0));
        Map<String, Integer> byDefect = new TreeMap<>();
        Map<String, Integer> knownByDefect = new TreeMap<>();
        Map<String, CampaignSummary.Detection> first = new HashMap<>();
        Map<String, int[]> kinds = new LinkedHashMap<>();
        for (CrashKind k : CrashKind.values()) {
            kinds.put(k.label(), new int[3]);
        }
        List<CampaignSummary.Timeline> timelines = new ArrayList<>();
        List<Finding> violations = new ArrayList<>();
        List<Finding> known = new ArrayList<>();

        for (ShardResults shard : results.shards()) {
            variants.add(shard.campaign().variant());
            seeds.add(shard.campaign().seed());
            Map<Integer, RunRecord> runByIndex = new HashMap<>();
            long shardStates = 0;
            long shardElapsed = 0;
            List<RunRecord> shardRuns = new ArrayList<>(shard.runs());
            shardRuns.sort(Comparator.comparingLong(RunRecord::tMs));
            List<CampaignSummary.Point> points = new ArrayList<>();
            points.add(new CampaignSummary.Point(0, 0));
            for (RunRecord r : shardRuns) {
                runByIndex.put(r.run(), r);
                shardStates += r.statesChecked();
                shardElapsed = Math.max(shardElapsed, r.tMs());
                statesTotal = statesTotal.add(r.statesTotal());
                kinds.get(r.crashKind().label())[0]++;
                points.add(new CampaignSummary.Point(r.tMs(), shardStates));
            }
            int shardViolations = 0;
            int shardKnown = 0;
            for (Finding f : shard.findings()) {
                boolean isKnown = f instanceof KnownRecord;
                RunRecord run = runByIndex.get(f.run());
                String kind = run == null ? CampaignSummary.RUN_NOT_COMPLETED : run.crashKind().label();
                kinds.computeIfAbsent(kind, k -> new int[3])[isKnown ? 2 : 1]++;
                String defect = f.defect() == null ? CampaignSummary.UNATTRIBUTED : f.defect();
                shardElapsed = Math.max(shardElapsed, f.tMs());
                if (isKnown) {
                    shardKnown++;
                    known.add(f);
                    knownByDefect.merge(defect, 1, Integer::sum);
                } else {
                    shardViolations++;
                    violations.add(f);
                    byOracle.merge(f.oracle(), 1, Integer::sum);
                    byDefect.merge(defect, 1, Integer::sum);
                }
                String key = (isKnown ? "known\u0000" : "violation\u0000") + defect
                        + (f.defect() == null ? "\u0000" + f.oracle() : "");
                CampaignSummary.Detection d = first.get(key);
                int count = d == null ? 1 : d.count() + 1;
                if (d == null || f.tMs() < d.tMs()) {
                    first.put(key, new CampaignSummary.Detection(defect, isKnown, f.oracle(), f.tMs(), f.shard(),
                            f.run(), count));
                } else {
                    first.put(key, new CampaignSummary.Detection(d.defect(), d.known(), d.oracle(), d.tMs(),
                            d.shard(), d.run(), count));
                }
            }
            long doneElapsed = shard.done().map(d -> d.elapsedMs()).orElse(0L);
            shardElapsed = Math.max(shardElapsed, doneElapsed);
            rows.add(new CampaignSummary.ShardRow(shard.folder(), shard.campaign(), shardRuns.size(), shardStates,
                    shardElapsed, shard.done().isPresent(), shardViolations, shardKnown));
            timelines.add(new CampaignSummary.Timeline(label(shard, results), points));
            runs += shardRuns.size();
            statesChecked += shardStates;
            elapsed = Math.max(elapsed, shardElapsed);
        }
        List<CampaignSummary.Detection> detections = new ArrayList<>(first.values());
        detections.sort(Comparator.comparing(CampaignSummary.Detection::known)
                .thenComparingLong(CampaignSummary.Detection::tMs)
                .thenComparing(CampaignSummary.Detection::defect));
        Map<String, CampaignSummary.KindRow> crashKinds = new LinkedHashMap<>();
        kinds.forEach((k, v) -> crashKinds.put(k, new CampaignSummary.KindRow(v[0], v[1], v[2])));
        Comparator<Finding> order = Comparator.comparing(Finding::variant).thenComparing(Finding::shard)
                .thenComparingLong(Finding::tMs).thenComparingInt(Finding::run);
        violations.sort(order);
        known.sort(order);
        return new CampaignSummary(rows, variants, seeds, runs, statesChecked, statesTotal, elapsed, byOracle,
                byDefect, knownByDefect, detections, crashKinds, timelines, violations, known, results.warnings());
    }

    private static String label(ShardResults shard, Results all) {
        boolean manyCampaigns = all.shards().stream().map(s -> s.campaign().seed() + s.campaign().variant())
                .distinct().count() > 1;
        String shardPart = "shard " + shard.campaign().shard();
        return manyCampaigns ? shard.campaign().variant() + " seed " + shard.campaign().seed() + " " + shardPart
                : shardPart;
    }
}
