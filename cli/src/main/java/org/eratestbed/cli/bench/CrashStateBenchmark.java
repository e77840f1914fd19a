package org.eratestbed.cli.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eratestbed.device.SyncIo;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.SimDisk;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code crash_states_per_s}: a 4 MiB disk whose every sector holds durable data, then 12 volatile 4 KiB
 * writes at seeded 4 KiB-aligned places (each may tear at sector granularity, so the space has 2^96 states).
 * One operation constructs a crash state — drawn uniformly, without repeats, as a campaign draws them — and
 * computes its content hash.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CrashStateBenchmark {
    /** States per benchmark invocation: one selection of this many distinct sampled states. */
    public static final int BATCH = 1024;
    static final long DEVICE_SECTORS = (4L << 20) / 512;
    static final int VOLATILE_WRITES = 12;

    private CrashSpace space;
    private long seed;

    @Setup
    public void setup() {
        space = buildSpace(42);
    }

    /** The disk the figure is about, crashed: also used by the test that checks the set-up itself. */
    static CrashSpace buildSpace(long seed) {
        SimDisk disk = SimDisk.builder(DEVICE_SECTORS).recordLog(false).name("bench").build();
        SyncIo io = new SyncIo(disk);
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] page = new byte[4096];
        for (long s = 0; s < DEVICE_SECTORS; s += 8) {
            rnd.nextBytes(page);
            io.write(s, page);
        }
        io.flush();
        for (int i = 0; i < VOLATILE_WRITES; i++) {
            rnd.nextBytes(page);
            io.write(rnd.nextLong(DEVICE_SECTORS / 8) * 8, page.clone());
        }
        return disk.crash();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void crashStates(Blackhole bh) {
        for (CrashState st : space.select(seed++, BATCH)) {
            bh.consume(st.contentHash());
        }
    }
}
