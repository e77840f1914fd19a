package org.eratestbed.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import org.eratestbed.reports.jfr.JfrProfile;
import org.eratestbed.reports.jfr.JfrProfileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real JFR recording of CPU and allocation work becomes the report's profile section. */
class JfrProfileTest {
    @TempDir
    Path tmp;

    static volatile long sink;

    /**
     * Plain arithmetic the sampler will find on top of the stack (no Math.sin and the like: their stubs are
     * frames the sampler cannot walk, so samples taken there are dropped).
     */
    static long burnCpu(int n) {
        long x = n;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** Short-lived arrays and strings for the allocation sampler and the GC. */
    static int allocate(List<Object> keep) {
        int total = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[256 + (i % 64) * 16];
            total += b.length;
            keep.add(b);
            keep.add(Integer.toString(i) + "-" + total);
        }
        if (keep.size() > 200_000) {
            keep.clear();
        }
        return total;
    }

    static void record(Path file) throws Exception {
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.enable("jdk.ObjectAllocationSample").with("throttle", "5000/s");
            r.enable("jdk.GarbageCollection");
            r.enable("jdk.GCPhasePause");
            r.start();
            List<Object> keep = new ArrayList<>();
            long end = System.nanoTime() + 1_000_000_000L;
            boolean gc = false;
            while (System.nanoTime() < end) {
                sink += burnCpu(2_000_000);
                sink += allocate(keep);
                if (!gc && System.nanoTime() > end - 500_000_000L) {
                    System.gc(); // at least one collection, whatever the heap size
                    gc = true;
                }
            }
            r.stop();
            r.dump(file);
        }
    }

    @Test
    void profileSectionListsHotMethodsAllocationsAndGc() throws Exception {
        Path dir = SampleResults.write(tmp.resolve("r"), "1/1", 5, 6, false, true);
        record(dir.resolve(ReportGenerator.PROFILE));

        JfrProfile p = JfrProfileReader.read(List.of(dir.resolve(ReportGenerator.PROFILE)));
        assertTrue(p.executionSamples() >= 5, "samples: " + p.executionSamples());
        assertFalse(p.hotMethods().isEmpty());
        assertTrue(p.projectMethods().stream().anyMatch(r -> r.name().equals(JfrProfileTest.class.getName()
                + ".burnCpu")), "the test's own CPU loop is the nearest project frame: " + p.projectMethods());
        assertFalse(p.allocations().isEmpty());
        assertTrue(p.allocationBytes() > 0);
        assertTrue(p.gcPauses() >= 1, "System.gc() was recorded");

        ReportGenerator.Output out = ReportGenerator.generate(List.of(dir), null, null);
        assertTrue(out.withProfile());
        String html = Files.readString(out.html());
        int section = html.indexOf("<h2 id=\"profile\">Profile (JFR)</h2>");
        assertTrue(section > 0, "profile section");
        String profile = html.substring(section);
        assertTrue(profile.contains("<h3>Hot methods (top frame)</h3>"));
        String hottest = p.hotMethods().get(0).name();
        assertTrue(profile.contains("<tr><td>" + hottest + "</td><td class=\"num\">"),
                "the hottest method is a table row: " + hottest);
        assertTrue(profile.contains("<td>" + JfrProfileTest.class.getName() + ".burnCpu</td>"));
        assertTrue(profile.contains("System.gc()"), "the GC table names the cause");

        JsonNode json = new ObjectMapper().readTree(out.summaryJson().toFile());
        assertEquals(hottest, json.get("profile").get("hot_methods").get(0).get("method").asText());
        assertTrue(json.get("profile").get("gc_pauses").asLong() >= 1);
    }
}
