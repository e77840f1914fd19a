package org.eratestbed.fault.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eratestbed.fault.workload.Command;
import org.junit.jupiter.api.Test;

class DiffCorpusTest {
    private static final List<DiffCorpus.Entry> CORPUS = DiffCorpus.load();

    private static String word(Command c) {
        return c.text().split(" ")[0];
    }

    /** Every command of the script format: the argument-less kinds and the four commands with arguments. */
    private static Set<String> allCommands() {
        Set<String> all = new TreeSet<>(List.of("write", "discard", "invalidate", "invalidate_snap"));
        for (Command.Kind k : Command.Kind.values()) {
            all.add(k.word());
        }
        return all;
    }

    @Test
    void atLeastTenScriptsCoverEveryCommand() {
        assertTrue(CORPUS.size() >= 10, "only " + CORPUS.size() + " scripts");
        Set<String> used = CORPUS.stream().flatMap(e -> e.script().commands().stream()).map(DiffCorpusTest::word)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(allCommands());
        missing.removeAll(used);
        assertEquals(Set.of(), missing, "commands no corpus script uses");
    }

    /** The sequences the corpus is there for, each found by walking the scripts, not by their names. */
    @Test
    void theInterestingSequencesAreThere() {
        Set<String> seen = new TreeSet<>();
        Set<String> crashing = CORPUS.stream().filter(e -> e.script().crashes()).map(DiffCorpus.Entry::name)
                .collect(Collectors.toSet());
        for (DiffCorpus.Entry e : CORPUS) {
            boolean suspended = false;
            boolean snap = false;
            boolean present = true;
            if (e.startFrom() != null && crashing.contains(e.startFrom())) {
                seen.add("create after a crash, on the metadata it left");
            }
            for (Command c : e.script().commands()) {
                String w = word(c);
                if (suspended && w.equals("status")) {
                    seen.add("status while suspended");
                }
                if (suspended && (w.equals("checkpoint") || w.endsWith("_metadata_snap"))) {
                    seen.add("message while suspended");
                }
                if (suspended && w.equals("write")) {
                    seen.add("write while suspended");
                }
                if (snap && w.equals("checkpoint")) {
                    seen.add("snapshot held across a checkpoint");
                }
                if (snap && w.equals("take_metadata_snap")) {
                    seen.add("second take_metadata_snap");
                }
                if (!snap && w.equals("drop_metadata_snap")) {
                    seen.add("drop_metadata_snap without a snapshot");
                }
                if (!present && w.equals("status")) {
                    seen.add("status with no device");
                }
                if (c instanceof Command.Write wr && wr.count() >= 100) {
                    seen.add("a write across 100 or more blocks");
                }
                if (c instanceof Command.Write wr && wr.first() + wr.count() > e.script().target().originBlocks()) {
                    seen.add("a write past the end of the device");
                }
                if (c instanceof Command.Discard) {
                    seen.add("discard");
                }
                switch (w) {
                    case "suspend" -> suspended = true;
                    case "resume", "create" -> suspended = false;
                    case "take_metadata_snap" -> snap = true;
                    case "drop_metadata_snap" -> snap = false;
                    default -> { }
                }
                present = !w.equals("remove") && (present || w.equals("create"));
            }
        }
        assertEquals(new TreeSet<>(List.of("create after a crash, on the metadata it left", "status while suspended",
                "message while suspended", "write while suspended", "snapshot held across a checkpoint",
                "second take_metadata_snap", "drop_metadata_snap without a snapshot", "status with no device",
                "a write across 100 or more blocks", "a write past the end of the device", "discard")), seen);
    }

    /** A script file that the list forgets would silently drop out of every diff. */
    @Test
    void theListNamesEveryScriptInTheFolder() throws IOException, URISyntaxException {
        Path dir = Path.of(DiffCorpus.class.getClassLoader().getResource("diff/corpus.txt").toURI()).getParent();
        Set<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".era"))
                    .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, CORPUS.stream().map(DiffCorpus.Entry::name).collect(Collectors.toCollection(TreeSet::new)));
    }

}
