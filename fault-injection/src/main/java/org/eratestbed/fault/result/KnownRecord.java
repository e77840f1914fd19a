package org.eratestbed.fault.result;

import java.util.List;
import java.util.Objects;

/**
 * An oracle failed in a way the variant is known to fail (e.g. upstream's M1, in-flight writes across a
 * checkpoint): reported as a known issue with its reproducer, never as a failure. Same fields as
 * {@link ViolationRecord}; {@code defect} names the known issue and so is required here.
 */
public record KnownRecord(String shard, int run, long seed, String variant, String oracle, String defect,
        String message, String crashPoint, String state, String script, List<Integer> schedule, String reproduce,
        long tMs) implements Finding {
    public static final String TYPE = "known";

    public KnownRecord {
        Shards.check(shard);
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(oracle, "oracle");
        Objects.requireNonNull(defect, "defect");
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
