package org.eratestbed.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eratestbed.model.era.tools.thin.ThinTools;

/**
 * {@code era_check_states_per_s}: the same crash states as {@link CrashStateCheckBenchmark}, each metadata image
 * written to a file and checked by thin-provisioning-tools' {@code era_check} as a separate process, as a
 * campaign without the model's reader would have to. A plain timed loop, not JMH: the cost is a process per
 * state, milliseconds each, which JMH's machinery would not measure any better. One untimed pass over a few
 * states warms the page cache and the JVM's process launching; then whole passes over all states are timed.
 * Every state must pass {@code era_check} (the model's reader says they do): one that does not is an error, not
 * a rate.
 */
final class EraCheckRate {
    private EraCheckRate() {
    }

    /** States per second over {@code passes} timed passes, or NaN with a reason when era_check is absent. */
    static BenchResult measure(Figure figure, int passes) {
        if (!ThinTools.available()) {
            return new BenchResult(figure, Double.NaN, Double.NaN, 0);
        }
        List<byte[]> images = CrashStateCheckBenchmark.configuration().metadataImages(
                CrashStateCheckBenchmark.STATE_SEED, CrashStateCheckBenchmark.STATES);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("era-check-bench");
            Path img = dir.resolve("meta.img");
            for (int i = 0; i < Math.min(4, images.size()); i++) {
                checkOne(img, images.get(i), i);
            }
            double[] rates = new double[passes];
            long states = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < images.size(); i++) {
                    checkOne(img, images.get(i), i);
                }
                rates[p] = images.size() / ((System.nanoTime() - t0) / 1e9);
                states += images.size();
            }
            return new BenchResult(figure, mean(rates), halfWidth(rates), states);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void checkOne(Path img, byte[] image, int index) throws IOException {
        Files.write(img, image);
        ThinTools.Result r = ThinTools.check(img);
        if (r.code() != 0) {
            throw new IllegalStateException("era_check rejects bench state " + index + " that the model's check "
                    + "accepts (exit " + r.code() + "): " + r.err() + r.out());
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** A rough 99.9% half-width (normal quantile 3.29 × standard error); NaN with fewer than two passes. */
    private static double halfWidth(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return 3.29 * Math.sqrt(ss / (v.length - 1)) / Math.sqrt(v.length);
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve("meta.img"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
