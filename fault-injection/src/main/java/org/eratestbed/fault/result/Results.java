package org.eratestbed.fault.result;

import java.util.List;

/**
 * One or more campaign shards' results, merged: {@link #shards()} in order of variant, seed and shard, and
 * the warnings the reader had (dropped unterminated lines, skipped unknown record types).
 */
public record Results(List<ShardResults> shards, List<String> warnings) {
    public Results {
        shards = List.copyOf(shards);
        warnings = List.copyOf(warnings);
    }

    public List<RunRecord> runs() {
        return shards.stream().flatMap(s -> s.runs().stream()).toList();
    }

    public List<Finding> findings() {
        return shards.stream().flatMap(s -> s.findings().stream()).toList();
    }

    public List<ViolationRecord> violations() {
        return findings().stream().filter(ViolationRecord.class::isInstance).map(ViolationRecord.class::cast)
                .toList();
    }

    public List<KnownRecord> known() {
        return findings().stream().filter(KnownRecord.class::isInstance).map(KnownRecord.class::cast).toList();
    }
}
