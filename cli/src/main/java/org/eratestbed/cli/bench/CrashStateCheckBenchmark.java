package org.eratestbed.cli.bench;

import java.util.concurrent.TimeUnit;
import org.eratestbed.fault.campaign.CrashStateChecks;
import org.eratestbed.model.era.defect.Variant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code crash_states_checked_per_s}: the bench's small configuration ({@link CrashStateChecks#SMALL} on
 * hardened, crashed inside a metadata commit); one operation is one crash state checked as a campaign checks
 * it — the metadata and origin states constructed, the metadata checked by the independent reader, the target
 * created again on them, the origin read back, the target removed, {@code invalidate} for every acknowledged
 * write's era, and every oracle. Each invocation checks the same {@link #STATES} states that
 * {@link EraCheckRate} hands to {@code era_check}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CrashStateCheckBenchmark {
    /** States per invocation, and the states both sides of the ratio check. */
    public static final int STATES = 32;
    /** The seed that selects them. */
    public static final long STATE_SEED = 9;

    private CrashStateChecks checks;

    @Setup
    public void setup() {
        checks = configuration();
    }

    /** The run whose states both figures check. */
    static CrashStateChecks configuration() {
        return CrashStateChecks.small(Variant.HARDENED);
    }

    @Benchmark
    @OperationsPerInvocation(STATES)
    public int checkStates() {
        int n = checks.check(STATE_SEED, STATES);
        if (n != STATES) {
            throw new IllegalStateException("checked " + n + " states, not " + STATES);
        }
        return n;
    }

    /** {@code metadata_checked_per_s}: the same states, metadata only, as era_check checks them. */
    @Benchmark
    @OperationsPerInvocation(STATES)
    public int checkMetadataOnly() {
        int n = checks.checkMetadataOnly(STATE_SEED, STATES);
        if (n != STATES) {
            throw new IllegalStateException(n + " of " + STATES + " states passed the metadata check");
        }
        return n;
    }
}
