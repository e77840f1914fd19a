package org.eratestbed.stress.summary;

/** jcstress's {@code Expect}, by the label its HTML report prints. */
public enum Expectation {
    ACCEPTABLE("Acceptable"), ACCEPTABLE_INTERESTING("Interesting"), FORBIDDEN("Forbidden"), UNKNOWN("Unknown");

    private final String label;

    Expectation(String label) {
        this.label = label;
    }

    /** The expectation printed as {@code label}; anything unrecognised is UNKNOWN, never an error. */
    public static Expectation ofLabel(String label) {
        for (Expectation e : values()) {
            if (e.label.equalsIgnoreCase(label.trim()) || e.name().equalsIgnoreCase(label.trim())) {
                return e;
            }
        }
        return UNKNOWN;
    }
}
