package org.eratestbed.model.era.defect;

/**
 * What users of dm-era rely on (design.md, "Oracles"): each defect in the catalogue names the one it breaks,
 * so a result can say which promise failed rather than which line of code misbehaved.
 */
public enum Oracle {
    /** 1. A write completed in era E is reported by {@code invalidate --written-since E}, after any crash too. */
    TRACKING("tracking"),
    /** 2. A write whose data reaches the origin after a checkpoint to E+1 is reported as written since E+1. */
    IN_FLIGHT("in-flight"),
    /** 3. No recorded era is above the current era, and the current era never goes backwards. */
    NO_ERA_FROM_THE_FUTURE("era-from-the-future"),
    /** 4. Every crash state passes {@code check} (and era_check); status reports what the metadata holds. */
    METADATA_CONSISTENCY("metadata-consistency"),
    /** 5. Reads and flushes behave as the origin device's semantics say. */
    LINEAR_DATA("linear-data"),
    /** 6. No message, status or table swap hangs; errors are returned, not swallowed or turned into a crash. */
    LIVENESS("liveness");

    private final String id;

    Oracle(String id) {
        this.id = id;
    }

    /** The name results and reports use. */
    public String id() {
        return id;
    }
}
