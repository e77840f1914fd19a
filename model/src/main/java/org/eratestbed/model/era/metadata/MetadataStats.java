package org.eratestbed.model.era.metadata;

/** struct metadata_stats: what the INFO status line reports. {@code era} is a u32 held in an int. */
public record MetadataStats(long used, long total, long snap, int era) {
}
