package org.eratestbed.fault.result;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One generated run, written when the run is complete (after its findings). {@code statesTotal} is the
 * number of crash states the run's disks may hold, which grows exponentially with unflushed writes, so it
 * is a decimal string in JSON; {@code statesChecked} is how many of them the oracles checked.
 */
public record RunRecord(String shard, int run, long seed, String variant, long steps, String crashPoint,
        CrashKind crashKind,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigInteger statesTotal,
        int statesChecked, long elapsedMs, long tMs) implements ResultRecord {
    public static final String TYPE = "run";

    public RunRecord {
        Shards.check(shard);
        if (run < 0) {
            throw new IllegalArgumentException("run index " + run + " < 0");
        }
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(crashPoint, "crash_point");
        Objects.requireNonNull(crashKind, "crash_kind");
        Objects.requireNonNull(statesTotal, "states_total");
        if (statesChecked < 0 || statesTotal.signum() < 0) {
            throw new IllegalArgumentException("negative state count");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
