package org.eratestbed.fault.diff;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eratestbed.device.fault.FaultPlan;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * The differential corpus: the workload scripts that model and kernel must agree on, shipped as resources
 * under {@code diff/} in the fault-injection jar (main, not test, resources, so the {@code era-testbed}
 * command and the kernel's CI test read the very same files). {@code diff/corpus.txt} lists them in the
 * order they run, one name a line.
 *
 * <p>A script that must start from the metadata another script left (create after a crash) says so in a
 * comment line {@code # start-from: <name>}; that script must come earlier in the list. Each target then
 * starts from <em>its own</em> earlier image, as a user recovering a crashed kernel would.
 */
public final class DiffCorpus {
    private static final String DIR = "diff/";
    private static final String START_FROM = "# start-from:";
    private static final String METADATA_FAULTS = "# metadata-faults:";
    private static final String ORIGIN_FAULTS = "# origin-faults:";

    /**
     * One script of the corpus; {@code startFrom} is null or the name of an earlier script. The fault plans
     * come from comment lines {@code # metadata-faults: <plan>} / {@code # origin-faults: <plan>} and are
     * given to both targets' disks; only {@code sectors=} triggers mean the same on both, since the kernel's
     * block layer merges adjacent writes and so numbers its requests differently.
     */
    public record Entry(String name, WorkloadScript script, String startFrom, FaultPlan metadataFaults,
            FaultPlan originFaults) {
    }

    private DiffCorpus() {
    }

    /** Every script, in list order. */
    public static List<Entry> load() {
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : read(DIR + "corpus.txt").split("\n")) {
            name = name.strip();
            if (name.isEmpty()) {
                continue;
            }
            String text = read(DIR + name + ".era");
            String from = header(text, START_FROM);
            FaultPlan md = faults(text, true);
            FaultPlan origin = faults(text, false);
            if (from != null && !seen.contains(from)) {
                throw new IllegalStateException(name + " starts from " + from + ", which is not earlier in the corpus");
            }
            out.add(new Entry(name, WorkloadParser.parse(name + ".era", text), from, md, origin));
            seen.add(name);
        }
        return out;
    }

    /**
     * The plan of a script's {@code # metadata-faults:} (or {@code # origin-faults:}) comment line, or
     * FaultPlan.NONE; a bad plan is a BadInputException naming the line.
     */
    public static FaultPlan faults(String scriptText, boolean metadata) {
        String plan = header(scriptText, metadata ? METADATA_FAULTS : ORIGIN_FAULTS);
        return plan == null ? FaultPlan.NONE : FaultPlan.parse(plan);
    }

    /** The value of the script's last comment line that starts with {@code prefix}, or null. */
    private static String header(String scriptText, String prefix) {
        String value = null;
        for (String line : scriptText.split("\n")) {
            if (line.startsWith(prefix)) {
                value = line.substring(prefix.length()).strip();
            }
        }
        return value;
    }

    private static String read(String resource) {
        try (InputStream in = DiffCorpus.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("corpus resource " + resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
