package org.eratestbed.fault.campaign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * Analysis harness, not a test: sorts a campaign's reproducer folders by whether a table loaded while the device
 * was active explains their lost write. Such a table's constructor opens the metadata from disk (era_ctr's
 * metadata_open, its own dm-bufio client), while the old table keeps committing until the suspend; when the new
 * table resumes, its preresume commits a superblock from the state it read, so a write acknowledged after that
 * load is in no metadata the new table knows. A finding whose missing write was acknowledged after the load of a
 * table that went live later (or that recovery recreated) is counted "stale load"; the others are printed.
 *
 * <p>Usage: {@code java -cp ... ReloadFindings FINDINGS_DIR VARIANT}
 */
public final class ReloadFindings {
    private static final Pattern WRITE = Pattern.compile("\\(write #(\\d+),");

    private ReloadFindings() {
    }

    public static void main(String[] args) throws Exception {
        Predicate<Defect> live = Variant.parse(args[1])::has;
        int stale = 0;
        int other = 0;
        int gone = 0;
        try (var dirs = Files.list(Path.of(args[0]))) {
            for (Path d : dirs.sorted().toList()) {
                WorkloadScript s = WorkloadParser.parse(d.resolve("script.era"));
                List<String> lines = Files.readAllLines(d.resolve("plan.txt"));
                if (!s.toText().contains("reload")) {
                    continue;
                }
                RunPlan plan = new RunPlan(s, Long.parseUnsignedLong(value(lines, "seed")),
                        Integer.parseInt(value(lines, "window")), Long.parseLong(value(lines, "crash_step")))
                        .withFaultLines(lines);
                RunExecutor.Outcome o = RunExecutor.execute(live, plan, RunGenerator.MAX_STEPS);
                Oracles.Checked c = Oracles.check(live, o, plan.seed(),
                        Integer.parseInt(value(lines, "states")));
                Oracles.Violation v = c.first();
                if (v == null) {
                    gone++;
                    continue;
                }
                String why = staleLoad(o, v);
                if (why != null) {
                    stale++;
                } else {
                    other++;
                    System.out.println(d.getFileName() + ": " + v.oracle() + ": " + v.message());
                }
            }
        }
        System.out.printf("stale load: %d, other: %d, no longer failing as replayed here: %d%n", stale, other, gone);
    }

    /** Why the stale-load explanation fits the violation, or null. */
    static String staleLoad(RunExecutor.Outcome o, Oracles.Violation v) {
        Matcher m = WRITE.matcher(v.message());
        if (!m.find()) {
            return null;
        }
        long seq = Long.parseLong(m.group(1));
        List<ModelTarget.WriteAck> acks = o.acks();
        int index = -1;
        for (int i = 0; i < acks.size(); i++) {
            if (acks.get(i).seq() == seq) {
                index = i;
            }
        }
        List<Long> loads = o.model().loads();
        for (int k = 0; k < loads.size(); k++) {
            if (loads.get(k) <= index) {
                return "write #" + seq + " (ack " + index + ") after load " + k + " (at ack " + loads.get(k) + ")";
            }
        }
        return null;
    }

    private static String value(List<String> lines, String key) {
        for (String l : lines) {
            if (l.startsWith(key + "=")) {
                return l.substring(key.length() + 1).strip();
            }
        }
        throw new IllegalArgumentException("plan.txt lacks " + key);
    }
}
