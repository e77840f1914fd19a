package org.eratestbed.fault.result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eratestbed.device.BadInputException;

/**
 * Reads results folders for the reports. Each path may be a results folder ({@code campaign.json} and
 * {@code results.jsonl}), the {@code results.jsonl} in one, or a folder whose subfolders are results folders
 * (one per shard). Folders of the same campaign shard (same seed, variant, shard and budget: e.g. a copy
 * taken while it ran and the finished folder) are merged, each record once. What stands is read (see
 * {@link ResultFile#standing}): a run's later batch supersedes its earlier one, so a finding triaged by a
 * later session shows as triaged. An unterminated last line is a write cut short and is dropped with a
 * warning; findings no run record follows are kept (a killed campaign not resumed: its run was not
 * completed) unless their run has standing records; anything else that is not a record is bad input.
 */
public final class ResultReader {
    private ResultReader() {
    }

    public static Results read(Path... paths) {
        return read(Arrays.asList(paths));
    }

    public static Results read(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new BadInputException("no results folder given");
        }
        List<Path> folders = new ArrayList<>();
        for (Path p : paths) {
            folders.addAll(resultsFolders(p));
        }
        Map<String, Merged> byCampaign = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Path folder : folders) {
            CampaignInfo campaign = ResultLog.readCampaign(folder.resolve(ResultLog.CAMPAIGN_FILE));
            ResultFile file = ResultFile.read(folder.resolve(ResultLog.RESULTS_FILE));
            warnings.addAll(file.warnings());
            Merged merged = byCampaign.computeIfAbsent(campaignKey(campaign), k -> new Merged(folder, campaign));
            for (ResultFile.Line line : file.lines()) {
                ResultRecord r = line.record();
                if (!r.shard().equals(campaign.shard())) {
                    throw new BadInputException(file.file() + ":" + line.number() + ": a record of shard "
                            + r.shard() + " in the results of shard " + campaign.shard());
                }
            }
            ResultFile.Standing st = ResultFile.standing(file.lines());
            merged.take(st.kept());
            merged.orphans(st.orphans());
        }
        for (Merged m : byCampaign.values()) {
            int dropped = m.dropOrphansOfCompleteRuns();
            if (dropped > 0) {
                warnings.add(m.folder + ": dropped " + dropped + " finding(s) of a later batch cut short (no run "
                        + "record follows them; their run's earlier records stand)");
            }
        }
        List<ShardResults> shards = byCampaign.values().stream()
                .map(m -> new ShardResults(m.folder, m.campaign, m.records()))
                .sorted(Comparator.comparing((ShardResults s) -> s.campaign().variant())
                        .thenComparingLong(s -> s.campaign().seed())
                        .thenComparingLong(s -> shardIndex(s.campaign().shard())))
                .toList();
        return new Results(shards, warnings);
    }

    /**
     * One shard's standing records, from one or more copies of its folder. The file is append-only and never
     * rewritten but for what a kill cut short at its end, so a line's number is the same in every copy: per
     * run, the batch whose run record comes last in any copy stands (a copy taken before a later session
     * triaged a finding holds the earlier batch), and so does the last done record.
     */
    private static final class Merged {
        final Path folder;
        final CampaignInfo campaign;
        /** Per run (done: -1), the line number of its standing batch's last line and the batch. */
        final Map<Integer, Map.Entry<Integer, List<ResultRecord>>> batches = new HashMap<>();
        final Map<String, Map.Entry<Integer, Finding>> orphans = new LinkedHashMap<>();

        Merged(Path folder, CampaignInfo campaign) {
            this.folder = folder;
            this.campaign = campaign;
        }

        void take(List<ResultFile.Line> standing) {
            List<ResultRecord> batch = new ArrayList<>();
            for (ResultFile.Line line : standing) {
                batch.add(line.record());
                if (line.record() instanceof Finding) {
                    continue;
                }
                int key = line.record() instanceof RunRecord run ? run.run() : -1;
                Map.Entry<Integer, List<ResultRecord>> had = batches.get(key);
                if (had == null || had.getKey() < line.number()) {
                    batches.put(key, Map.entry(line.number(), batch));
                }
                batch = new ArrayList<>();
            }
        }

        /**
         * Findings no run record follows: a campaign killed between a finding and its run record and not
         * resumed. They are shown (the reports list them as runs not completed), each once.
         */
        void orphans(List<ResultFile.Line> lines) {
            for (ResultFile.Line line : lines) {
                Finding f = (Finding) line.record();
                orphans.putIfAbsent(identity(f), Map.entry(line.number(), f));
            }
        }

        /** An orphan of a run that has a standing batch is a later batch cut short: the standing one counts. */
        int dropOrphansOfCompleteRuns() {
            int before = orphans.size();
            orphans.values().removeIf(e -> batches.containsKey(e.getValue().run()));
            return before - orphans.size();
        }

        /** In the order written: by the line number of each batch (and of each orphan). */
        List<ResultRecord> records() {
            List<Map.Entry<Integer, List<ResultRecord>>> all = new ArrayList<>(batches.values());
            orphans.values().forEach(e -> all.add(Map.entry(e.getKey(), List.of(e.getValue()))));
            return all.stream().sorted(Map.Entry.comparingByKey()).flatMap(e -> e.getValue().stream()).toList();
        }

        /** What makes two orphan findings (from two copies of the folder) the same. */
        private static String identity(Finding f) {
            return f.type() + "\u0000" + f.run() + "\u0000" + f.oracle() + "\u0000" + f.state() + "\u0000"
                    + f.defect() + "\u0000" + f.crashPoint() + "\u0000" + f.message();
        }
    }

    /** The results folders a path names: itself, or its subfolders that are results folders. */
    static List<Path> resultsFolders(Path path) {
        if (!Files.exists(path)) {
            throw new BadInputException(path + ": no such results folder");
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(ResultLog.RESULTS_FILE)) {
            path = path.toAbsolutePath().getParent();
        }
        if (!Files.isDirectory(path)) {
            throw new BadInputException(path + ": not a results folder");
        }
        if (isResultsFolder(path)) {
            return List.of(path);
        }
        List<Path> shards;
        try (Stream<Path> children = Files.list(path)) {
            shards = children.filter(Files::isDirectory).filter(ResultReader::isResultsFolder).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot list: " + e.getMessage(), e);
        }
        if (shards.isEmpty()) {
            throw new BadInputException(path + ": not a results folder (no " + ResultLog.RESULTS_FILE
                    + " in it or in its subfolders)");
        }
        return shards;
    }

    private static boolean isResultsFolder(Path folder) {
        boolean results = Files.isRegularFile(folder.resolve(ResultLog.RESULTS_FILE));
        if (results && !Files.isRegularFile(folder.resolve(ResultLog.CAMPAIGN_FILE))) {
            throw new BadInputException(folder + ": has " + ResultLog.RESULTS_FILE + " but no "
                    + ResultLog.CAMPAIGN_FILE);
        }
        return results;
    }

    private static String campaignKey(CampaignInfo c) {
        return c.seed() + "\u0000" + c.variant() + "\u0000" + c.shard() + "\u0000" + c.budget();
    }

    private static long shardIndex(String shard) {
        return Long.parseLong(shard.substring(0, shard.indexOf('/')));
    }
}
