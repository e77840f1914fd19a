package org.eratestbed.fault.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reproducer folders are whole or absent, and after a kill exactly those the standing records name. */
class FindingFolderTest {
    @TempDir
    Path out;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(out.resolve(FindingFolder.FOLDER))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeReplacesAWholeFolder() throws IOException {
        FindingFolder.write(out, "run-1-tracking", Map.of("script.era", "old\n", "stale.txt", "x"));
        Path dir = FindingFolder.write(out, "run-1-tracking", Map.of("script.era", "new\n"));
        assertEquals("new\n", Files.readString(dir.resolve("script.era")));
        assertFalse(Files.exists(dir.resolve("stale.txt")), "nothing of the old folder is left");
        assertEquals(List.of("run-1-tracking"), names());
    }

    @Test
    void tidyLeavesWhatTheStandingRecordsName() throws IOException {
        Path findings = out.resolve(FindingFolder.FOLDER);
        FindingFolder.write(out, "run-1-tracking", Map.of("script.era", "a\n"));
        FindingFolder.write(out, "run-2-tracking", Map.of("script.era", "b\n"));
        // killed while writing a first folder: a torn temporary one, no record names it
        Files.createDirectories(findings.resolve("run-3-in-flight.tmp"));
        Files.writeString(findings.resolve("run-3-in-flight.tmp/script.era"), "tor");
        // killed after a folder was written, before its record was: the run is redone
        FindingFolder.write(out, "run-4-tracking", Map.of("script.era", "d\n"));
        // killed while replacing run 2's folder, after the new one was complete and the old one set aside:
        // run 2's standing record is still the old one, so is its folder
        Files.createDirectories(findings.resolve("run-2-tracking.tmp"));
        Files.writeString(findings.resolve("run-2-tracking.tmp/script.era"), "b2\n");
        Files.move(findings.resolve("run-2-tracking"), findings.resolve("run-2-tracking.old"));
        // killed while writing a replacement of run 1's: the old folder stands
        Files.createDirectories(findings.resolve("run-1-tracking.tmp"));
        // killed after run 5's new folder took its place, before the old one was removed
        FindingFolder.write(out, "run-5-tracking", Map.of("script.era", "e2\n"));
        Files.createDirectories(findings.resolve("run-5-tracking.old"));

        assertEquals(6, FindingFolder.tidy(out, Set.of("run-1-tracking", "run-2-tracking", "run-5-tracking")));
        assertEquals(List.of("run-1-tracking", "run-2-tracking", "run-5-tracking"), names());
        assertEquals("a\n", Files.readString(findings.resolve("run-1-tracking/script.era")));
        assertEquals("b\n", Files.readString(findings.resolve("run-2-tracking/script.era")));
        assertEquals("e2\n", Files.readString(findings.resolve("run-5-tracking/script.era")));
        assertEquals(0, FindingFolder.tidy(out, Set.of("run-1-tracking", "run-2-tracking", "run-5-tracking")));
    }
}
