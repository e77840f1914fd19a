package org.eratestbed.fault.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DifferTest {
    private static ModelTarget model(Variant v) {
        return new ModelTarget(v, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
    }

    private static Differ.Report diff(String text, Variant a, Variant b, Path out) throws Exception {
        WorkloadScript s = WorkloadParser.parse("t.era", text);
        try (ModelTarget l = model(a); ModelTarget r = model(b)) {
            return Differ.diff(s, new Differ.Side(a.id(), l), new Differ.Side(b.id(), r), null, out);
        }
    }

    @Test
    void theSameVariantTwiceIsTheSameAndKeepsBothFolders(@TempDir Path out) throws Exception {
        String text = "target block_size=8 origin_blocks=64 metadata_mib=4\nwrite 0 3\nstatus\ncheckpoint\n"
                + "write 10 2\ninvalidate 1\ntake_metadata_snap\ninvalidate_snap 2\ndrop_metadata_snap\nstatus\n";
        WorkloadScript s = WorkloadParser.parse("t.era", text);
        try (ModelTarget l = model(Variant.UPSTREAM); ModelTarget r = model(Variant.UPSTREAM)) {
            Differ.Report rep = Differ.diff(s, new Differ.Side("model", l), new Differ.Side("kernel", r), null, out);
            assertTrue(rep.same(), () -> rep.first().get().describe());
        }
        for (String side : List.of("model", "kernel")) {
            for (String f : List.of("status.txt", "invalidate-1.xml", "invalidate_snap-2.xml", "meta.img",
                    Differ.DUMP_FILE)) {
                assertTrue(Files.isRegularFile(out.resolve(side).resolve(f)), side + "/" + f);
            }
        }
        assertEquals("t.era: same\n", Files.readString(out.resolve("diff.txt")));
    }

    /** Upstream blocks a status on a suspended target (deadlock-2023 live); hardened fails it at once. */
    @Test
    void aBlockedStatusAgainstAnEbusyOneIsNamedByFileLineAndBothLines(@TempDir Path out) throws Exception {
        Differ.Report rep = diff("target block_size=8 origin_blocks=64 metadata_mib=4\nstatus\nsuspend\nstatus\n"
                + "resume\nstatus\n", Variant.UPSTREAM, Variant.HARDENED, out);
        assertFalse(rep.same());
        Difference d = rep.first().get();
        assertEquals("t.era", d.script());
        assertEquals("status.txt", d.file());
        assertEquals(2, d.line());
        assertEquals("ERROR: status: blocked", d.left());
        // hardened answers at once instead of waiting for the resume
        assertEquals("0 512 era Error", d.right());
        String report = Files.readString(out.resolve("diff.txt"));
        assertTrue(report.startsWith("t.era: status.txt line 2 differs\n  upstream: ERROR: status: blocked\n  hardened: "),
                report);
    }

    /** Status lines and files agree (no status, no invalidate); only the final images differ. */
    @Test
    void theLogicalDumpIsComparedWhenStatusAndInvalidateAgree() {
        Replayer.Outcome a = replay("target block_size=8 origin_blocks=64 metadata_mib=4\nwrite 3 1\n");
        Replayer.Outcome b = replay("target block_size=8 origin_blocks=64 metadata_mib=4\nwrite 4 1\n");
        Difference d = Differ.compare("t.era", "a", a, "b", b).orElseThrow(() -> new AssertionError("missed"));
        assertTrue(d.file().startsWith(Differ.DUMP_FILE), d.describe());
        assertEquals("    <era block=\"3\" era=\"1\"/>", d.left(), d.describe());
        assertEquals("    <era block=\"3\" era=\"0\"/>", d.right(), d.describe());
    }

    private static Replayer.Outcome replay(String text) {
        try (ModelTarget m = model(Variant.UPSTREAM)) {
            return Replayer.replay(WorkloadParser.parse("t.era", text), m, null);
        }
    }

    @Test
    void aFileOnOneSideOnlyAndAShorterStatusAreDifferences() {
        Replayer.Outcome a = new Replayer.Outcome(List.of("x", "y"), Map.of("invalidate-1.xml", "<blocks>\n</blocks>\n"),
                new byte[4096]);
        Replayer.Outcome b = new Replayer.Outcome(List.of("x"), Map.of(), new byte[4096]);
        Difference d = Differ.compare("s.era", "a", a, "b", b).orElseThrow();
        assertEquals(new Difference("s.era", "status.txt", 2, "a", "y", "b", null), d);
        assertTrue(d.describe().contains("b: <nothing: the file ends before this line>"), d.describe());
        Replayer.Outcome c = new Replayer.Outcome(List.of("x", "y"), Map.of(), new byte[4096]);
        Difference f = Differ.compare("s.era", "a", a, "c", c).orElseThrow();
        assertEquals(new Difference("s.era", "invalidate-1.xml", 1, "a", "<blocks>", "c", "<no such file>"), f);
        Replayer.Outcome e = new Replayer.Outcome(List.of("x", "y"), Map.of("invalidate-1.xml",
                "<blocks>\n  <range begin=\"0\" end=\"1\"/>\n</blocks>\n"), new byte[4096]);
        Difference g = Differ.compare("s.era", "a", a, "e", e).orElseThrow();
        assertEquals(2, g.line());
        assertEquals("</blocks>", g.left());
        assertTrue(Differ.compare("s.era", "a", a, "a2", a).isEmpty());
    }
}
