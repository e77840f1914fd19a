package org.eratestbed.fault.diff;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    /** One script of the corpus; {@code startFrom} is null or the name of an earlier script. */
    public record Entry(String name, WorkloadScript script, String startFrom) {
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
            String from = null;
            for (String line : text.split("\n")) {
                if (line.startsWith(START_FROM)) {
                    from = line.substring(START_FROM.length()).strip();
                }
            }
            if (from != null && !seen.contains(from)) {
                throw new IllegalStateException(name + " starts from " + from + ", which is not earlier in the corpus");
            }
            out.add(new Entry(name, WorkloadParser.parse(name + ".era", text), from));
            seen.add(name);
        }
        return out;
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
