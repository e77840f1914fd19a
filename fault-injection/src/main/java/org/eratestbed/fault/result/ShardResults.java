package org.eratestbed.fault.result;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The records of one campaign shard, in the order written, each once (records read from several copies of
 * the same shard's folder are merged). {@code folder} is the first folder they were read from.
 */
public record ShardResults(Path folder, CampaignInfo campaign, List<ResultRecord> records) {
    public ShardResults {
        records = List.copyOf(records);
    }

    public List<RunRecord> runs() {
        return records.stream().filter(RunRecord.class::isInstance).map(RunRecord.class::cast).toList();
    }

    public List<Finding> findings() {
        return records.stream().filter(Finding.class::isInstance).map(Finding.class::cast).toList();
    }

    public Optional<DoneRecord> done() {
        return records.stream().filter(DoneRecord.class::isInstance).map(DoneRecord.class::cast).findFirst();
    }

    /** The run record of run {@code run}, if that run completed. */
    public Optional<RunRecord> run(int run) {
        return runs().stream().filter(r -> r.run() == run).findFirst();
    }
}
