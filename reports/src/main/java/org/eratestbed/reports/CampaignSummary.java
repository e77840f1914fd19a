package org.eratestbed.reports;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.eratestbed.fault.campaign.DeviceFaultRecords;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.Finding;

/**
 * The numbers a report shows, computed once from merged results ({@link Summarizer}) so that the HTML, the
 * JSON and the JUnit XML cannot disagree.
 *
 * @param shards          one row per campaign shard, in the reader's order
 * @param statesTotal     crash states the runs' disks could hold, summed (exact, may be huge)
 * @param elapsedMs       the longest shard's running time (shards run side by side)
 * @param byOracle        violations per oracle id: every known oracle (0 if none), then any others
 * @param byDefect        violations per attributed defect id ({@link #UNATTRIBUTED} for none)
 * @param knownByDefect   known issues per defect id
 * @param detections      the first finding of each defect (violations and known issues), by time
 * @param crashKinds      runs, violations and known issues per crash point kind
 * @param timelines       per shard, states checked so far after each run, by time
 * @param violations      every violation, by shard and time
 * @param known           every known issue, by shard and time
 * @param warnings        what the reader dropped or skipped
 */
public record CampaignSummary(List<ShardRow> shards, SortedSet<String> variants, SortedSet<Long> seeds, int runs,
        long statesChecked, BigInteger statesTotal, long elapsedMs, Map<String, Integer> byOracle,
        Map<String, Integer> byDefect, Map<String, Integer> knownByDefect, List<Detection> detections,
        Map<String, KindRow> crashKinds, List<Timeline> timelines, List<Finding> violations, List<Finding> known,
        List<String> warnings) {

    /** The defect column of a violation that no catalogue defect explains: a new bug, or an oracle's. */
    public static final String UNATTRIBUTED = "(unattributed)";
    /** The crash kind column of a finding whose run record is missing (the run was cut short). */
    public static final String RUN_NOT_COMPLETED = "run not completed";

    /**
     * Known findings that injected device faults explain (a lost flush, a dropped write…), as opposed to known
     * defects of the code under test: on hardened every known finding is of this kind.
     */
    public long knownFromDeviceFaults() {
        return known.stream().filter(f -> DeviceFaultRecords.isDeviceFault(f.defect())).count();
    }

    public CampaignSummary {
        shards = List.copyOf(shards);
        detections = List.copyOf(detections);
        timelines = List.copyOf(timelines);
        violations = List.copyOf(violations);
        known = List.copyOf(known);
        warnings = List.copyOf(warnings);
    }

    /** True if any violation (not a known issue) was found: the campaign failed. */
    public boolean failed() {
        return !violations.isEmpty();
    }

    /** The shards that wrote no done record: still running, or killed before the end of their budget. */
    public List<ShardRow> unfinished() {
        return shards.stream().filter(s -> !s.done()).toList();
    }

    public record ShardRow(Path folder, CampaignInfo campaign, int runs, long statesChecked, long elapsedMs,
            boolean done, int violations, int known) {
    }

    /** When a defect was first seen: {@code tMs} after its shard's start, in {@code run} of {@code shard}. */
    public record Detection(String defect, boolean known, String oracle, long tMs, String shard, int run,
            int count) {
    }

    public record KindRow(int runs, int violations, int known) {
    }

    public record Timeline(String label, List<Point> points) {
        public Timeline {
            points = List.copyOf(points);
        }
    }

    /** {@code states} checked in total by {@code tMs}. */
    public record Point(long tMs, long states) {
    }
}
