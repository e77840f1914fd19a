package org.eratestbed.fault.campaign;

import java.util.function.Predicate;
import org.eratestbed.model.era.defect.Defect;

/**
 * Measurement harness, not a test: how many of the first N generated runs of a campaign seed fail an oracle
 * on the fixed model with one defect live. A rate per run does not depend on the machine's load, so it
 * compares generator and crash-point changes better than seconds to first detection.
 *
 * <p>Usage: {@code java -cp <fault-injection test and main classes + deps> ...GeneratorRate N SEED DEFECT_ID...}
 */
public final class GeneratorRate {
    private GeneratorRate() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        for (int i = 2; i < args.length; i++) {
            Defect d = Defect.byId(args[i]);
            Predicate<Defect> live = x -> x == d;
            int failed = 0;
            StringBuilder firsts = new StringBuilder();
            long t0 = System.nanoTime();
            for (int run = 0; run < n; run++) {
                long runSeed = Campaign.runSeed(seed, run);
                RunPlan plan = RunGenerator.plan(live, runSeed);
                RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
                Oracles.Violation v = Oracles.check(live, o, runSeed, 16).first();
                if (v != null) {
                    failed++;
                    if (failed <= 5) {
                        firsts.append(" #").append(run).append(':').append(v.oracle());
                    }
                }
            }
            System.out.printf("%s seed %d: %d of %d runs fail (first:%s) in %d ms%n", d.id(), seed, failed, n,
                    firsts, (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
