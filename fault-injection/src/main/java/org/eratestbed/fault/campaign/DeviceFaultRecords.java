package org.eratestbed.fault.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eratestbed.fault.result.KnownRecord;

/**
 * Results for the violations a run's device faults explain ({@link Oracles.Checked#expected()}): known
 * records, never failures, whose "defect" names the device's fault ({@code device-fault:lying-flush}, …) so
 * that reports list them apart from dm-era's defects; one per oracle and fault, each with a reproducer folder
 * (script, plan with its fault lines, what was seen).
 */
public final class DeviceFaultRecords {
    /** The prefix of the defect field of a finding explained by a device fault. */
    public static final String DEFECT_PREFIX = "device-fault:";

    /** Whether a finding's defect field says a device fault explains it (null: no catalogued defect). */
    public static boolean isDeviceFault(String defect) {
        return defect != null && defect.startsWith(DEFECT_PREFIX);
    }

    private DeviceFaultRecords() {
    }

    static List<KnownRecord> known(Path out, String shard, int run, long runSeed, String variant, RunPlan plan,
            String crashPoint, Oracles.Checked c, int states, long tMs) {
        List<KnownRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Oracles.Expected e : c.expected()) {
            String defect = DEFECT_PREFIX + e.fault();
            if (!seen.add(e.violation().oracle() + "/" + defect)) {
                continue;
            }
            Path dir = writeReproducer(out, run, runSeed, e, plan, states);
            records.add(new KnownRecord(shard, run, runSeed, variant, e.violation().oracle(), defect,
                    e.deviceCause() + ": " + e.violation().message(), crashPoint, e.violation().state(),
                    plan.script().toText(), List.of(), "era-testbed campaign --reproduce " + dir + " --variant " + variant,
                    tMs));
        }
        return records;
    }

    private static Path writeReproducer(Path out, int run, long runSeed, Oracles.Expected e, RunPlan plan,
            int states) {
        Path dir = out.resolve("findings").resolve("run-" + run + "-device-" + e.violation().oracle());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("script.era"), plan.script().toText(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("plan.txt"), plan.toText() + Campaign.statesLines(states, runSeed) + "oracle="
                    + e.violation().oracle() + "\n" + "defect=\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("finding.txt"), e.violation().oracle() + ": " + e.violation().message() + "\n"
                    + "explained by: " + e.deviceCause() + "\n" + e.violation().state() + "\n", StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return dir;
    }
}
