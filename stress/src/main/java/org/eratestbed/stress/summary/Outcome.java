package org.eratestbed.stress.summary;

/**
 * One outcome of a jcstress test: the observed state (e.g. {@code "1, 0"}), what the test declared about it,
 * and how often it was seen across all configurations. A declared outcome that never showed has
 * {@code observed == 0}; its state is then the declared id pattern, or {@link #OTHER} for the catch-all.
 */
public record Outcome(String state, Expectation expect, String description, long observed) {
    /** The state of a test's catch-all outcome (an {@code @Outcome} without an id) when it was not observed. */
    public static final String OTHER = "<any other>";
}
