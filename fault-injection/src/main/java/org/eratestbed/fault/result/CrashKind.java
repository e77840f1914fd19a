package org.eratestbed.fault.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a run's crash was placed: the campaign aims at the points where dm-era's bugs live. */
public enum CrashKind {
    /** At a flush or FUA boundary of the metadata device. */
    FLUSH_BOUNDARY("flush boundary"),
    /** Between the steps of a metadata commit (writeset marked, superblock written, ...). */
    INSIDE_COMMIT("inside commit"),
    /** At a step chosen at random. */
    RANDOM("random"),
    /** The run did not crash. */
    NONE("none");

    private final String label;

    CrashKind(String label) {
        this.label = label;
    }

    /** The JSON and report spelling. */
    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static CrashKind parse(String label) {
        for (CrashKind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown crash_kind '" + label
                + "' (flush boundary, inside commit, random or none)");
    }
}
