package org.eratestbed.fault.result;

import java.util.List;
import java.util.Objects;

/**
 * An oracle failed on a crash state of a run and the variant is not known to fail it this way: a finding to
 * report as a failure. Written before the run's {@link RunRecord}, so that a run whose record is present has
 * all its findings on disk. A message with line breaks is joined into one line with {@code " | "}.
 */
public record ViolationRecord(String shard, int run, long seed, String variant, String oracle, String defect,
        String message, String crashPoint, String state, String script, List<Integer> schedule, String reproduce,
        long tMs) implements Finding {
    public static final String TYPE = "violation";

    public ViolationRecord {
        Shards.check(shard);
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(oracle, "oracle");
        message = Finding.oneLine(Objects.requireNonNull(message, "message"));
        Objects.requireNonNull(crashPoint, "crash_point");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(script, "script");
        schedule = schedule == null ? List.of() : List.copyOf(schedule);
        Objects.requireNonNull(reproduce, "reproduce");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
