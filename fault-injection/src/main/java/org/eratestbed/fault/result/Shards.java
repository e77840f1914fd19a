package org.eratestbed.fault.result;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code "K/N"} shard spelling: shard K (1-based) of N. */
final class Shards {
    private static final Pattern SHARD = Pattern.compile("([1-9][0-9]*)/([1-9][0-9]*)");

    private Shards() {
    }

    static String check(String shard) {
        if (shard == null) {
            throw new NullPointerException("shard");
        }
        Matcher m = SHARD.matcher(shard);
        if (!m.matches() || Long.parseLong(m.group(1)) > Long.parseLong(m.group(2))) {
            throw new IllegalArgumentException("shard '" + shard + "' is not K/N with 1 <= K <= N");
        }
        return shard;
    }
}
