package org.eratestbed.model.era.metadata;

/**
 * struct metadata_stats: what the INFO status line reports. {@code era} is the u32 era as an unsigned value,
 * or, with review point M6 live, the reviewed code's 64-bit era counter as status read it.
 */
public record MetadataStats(long used, long total, long snap, long era) {
}
