package org.eratestbed.stress.summary;

import java.util.List;

/**
 * What one jcstress test showed: its outcomes summed over every configuration it ran in, and the status
 * jcstress gave each configuration.
 */
public record TestSummary(String test, List<Configuration> configurations, List<Outcome> outcomes) {
    /** One JVM configuration the test ran in: its JVM options and jcstress's status for it (OK, FAILED, ERROR...). */
    public record Configuration(String jvmOptions, String status, long samples) {
    }

    /** The overall result, as jcstress's index groups tests. */
    public enum Result { PASSED, INTERESTING, FAILED, ERROR }

    public long samples() {
        return outcomes.stream().mapToLong(Outcome::observed).sum();
    }

    /**
     * FAILED when a FORBIDDEN outcome showed or jcstress failed a configuration; ERROR when a configuration did
     * not run properly (or none ran); INTERESTING when an ACCEPTABLE_INTERESTING outcome showed; else PASSED.
     */
    public Result result() {
        boolean forbidden = seen(Expectation.FORBIDDEN);
        if (forbidden || configurations.stream().anyMatch(c -> c.status().equals("FAILED"))) {
            return Result.FAILED;
        }
        if (configurations.isEmpty() || configurations.stream().anyMatch(c -> !c.status().equals("OK"))) {
            return Result.ERROR;
        }
        return seen(Expectation.ACCEPTABLE_INTERESTING) ? Result.INTERESTING : Result.PASSED;
    }

    private boolean seen(Expectation e) {
        return outcomes.stream().anyMatch(o -> o.expect() == e && o.observed() > 0);
    }
}
