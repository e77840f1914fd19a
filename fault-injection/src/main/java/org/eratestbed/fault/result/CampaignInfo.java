package org.eratestbed.fault.result;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A campaign's parameters, {@code campaign.json} in its results folder: what a reader needs to tell
 * campaigns apart and to rerun one. {@code startTime} is ISO-8601 UTC ({@link Instant#toString()}); the
 * {@code t_ms} of every record counts from it.
 */
public record CampaignInfo(long seed, String variant, String budget, String shard, String startTime,
        String toolVersion) {

    public CampaignInfo {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(budget, "budget");
        Shards.check(shard);
        Objects.requireNonNull(startTime, "start_time");
        try {
            Instant.parse(startTime);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("start_time '" + startTime + "' is not an ISO-8601 instant", e);
        }
        Objects.requireNonNull(toolVersion, "tool_version");
    }

    public static CampaignInfo of(long seed, String variant, String budget, String shard, Instant start,
            String toolVersion) {
        return new CampaignInfo(seed, variant, budget, shard, start.toString(), toolVersion);
    }

    public Instant start() {
        return Instant.parse(startTime);
    }

    /**
     * True if {@code other} is the same campaign (so may resume into this folder): same seed, variant, shard
     * and budget. Start time and tool version may differ.
     */
    public boolean sameCampaign(CampaignInfo other) {
        return seed == other.seed && variant.equals(other.variant) && shard.equals(other.shard)
                && budget.equals(other.budget);
    }

    /** One line for messages: {@code seed 42, variant upstream, shard 1/2, budget 60s}. */
    public String describe() {
        return "seed " + seed + ", variant " + variant + ", shard " + shard + ", budget " + budget;
    }
}
