package org.eratestbed.fault.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Test;

/**
 * {@code reload} on the model: the new table goes live only at the next resume (its preresume resizes the era
 * array), a grow's new blocks and a shrink's dropped-then-regrown blocks hold era 0, and a later create uses the
 * reloaded table. The same behaviour was compared with kernel 6.1 by the diff corpus (19-reload-grow,
 * 20-reload-shrink); these pin it without a VM.
 */
class ReloadReplayTest {
    private static Replayer.Outcome replay(String script) {
        try (ModelTarget model = new ModelTarget(Variant.UPSTREAM, new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            return Replayer.replay(WorkloadParser.parse("t", script), model, null);
        }
    }

    private static String blocks(String... lines) {
        StringBuilder b = new StringBuilder("<blocks>\n");
        for (String l : lines) {
            b.append("  ").append(l).append('\n');
        }
        return b.append("</blocks>\n").toString();
    }

    @Test
    void growTakesEffectAtTheResumeAndTheNewBlocksHoldEraZero() {
        Replayer.Outcome o = replay("""
                target block_size=8 origin_blocks=16 metadata_mib=4
                write 0 2
                reload origin_blocks=32
                status
                write 20 1
                suspend
                resume
                status
                write 20 1
                checkpoint
                invalidate 0
                invalidate 1
                invalidate 2
                """);
        assertEquals(List.of(
                "0 128 era 8 9/1024 1 -",
                "ERROR: write: dd: /dev/mapper/era0: Invalid argument",
                "0 256 era 8 11/1024 2 -"), o.status());
        // era 0 is "never written since format": every block, the 16 new ones included
        assertEquals(blocks("<range begin=\"0\" end = \"32\"/>"), o.files().get("invalidate-0.xml"));
        // the new blocks were not written in era 1: only what was, and block 20 written in era 2
        assertEquals(blocks("<range begin=\"0\" end = \"2\"/>", "<block block=\"20\"/>"),
                o.files().get("invalidate-1.xml"));
        assertEquals(blocks("<block block=\"20\"/>"), o.files().get("invalidate-2.xml"));
    }

    @Test
    void shrinkDropsBlocksThatComeBackWithEraZeroOnAGrow() {
        Replayer.Outcome o = replay("""
                target block_size=8 origin_blocks=32 metadata_mib=4
                write 20 2
                write 0 1
                checkpoint
                suspend
                reload origin_blocks=16
                resume
                status
                write 20 1
                reload origin_blocks=32
                suspend
                resume
                status
                invalidate 1
                """);
        assertEquals(List.of(
                "0 128 era 8 9/1024 3 -",
                "ERROR: write: dd: /dev/mapper/era0: Invalid argument",
                "0 256 era 8 11/1024 4 -"), o.status().subList(0, 3));
        // blocks 20 and 21, written in era 1, were cut off by the shrink: back, they say "never written"
        assertEquals(blocks("<block block=\"0\"/>"), o.files().get("invalidate-1.xml"));
    }

    @Test
    void aBlockSizeChangeIsRefusedAndCreateUsesTheLastLoadedTable() {
        Replayer.Outcome o = replay("""
                target block_size=8 origin_blocks=16 metadata_mib=4
                reload origin_blocks=16 block_size=16
                reload origin_blocks=24
                remove
                create
                status
                remove
                reload origin_blocks=8
                """);
        assertEquals(List.of(
                "ERROR: reload: device-mapper: reload ioctl on era0  failed: Invalid argument",
                "ERROR: reload: Command failed.",
                "ERROR: reload: kernel: device-mapper: era: changing the data block size (from 8 to 16) is not supported",
                "ERROR: reload: kernel: device-mapper: table: 254:0: era: Error reading metadata (-EINVAL)",
                "ERROR: reload: kernel: device-mapper: ioctl: error adding target to table",
                // the reload to 24 blocks never went live, but create loads it
                "0 192 era 8 13/1024 2 -",
                "ERROR: reload: device-mapper: reload ioctl on era0  failed: No such device or address",
                "ERROR: reload: Command failed.",
                // the script's last remove, of a device already removed
                "ERROR: remove: device-mapper: remove ioctl on era0  failed: No such device or address",
                "ERROR: remove: Command failed."), o.status());
    }

    /** Corpus script 21, the same on kernel 6.1: a write held across a shrink that now ends past the table fails. */
    @Test
    void aWriteHeldAcrossAShrinkThatEndsPastTheTableFailsWithEio() {
        Replayer.Outcome o = replay("""
                target block_size=8 origin_blocks=248 metadata_mib=4
                suspend
                write 205 4
                reload origin_blocks=102
                resume
                status
                write 100 2
                status
                """);
        assertEquals("ERROR: write: blocked", o.status().get(0));
        assertEquals(true, o.status().stream().anyMatch(l -> l.startsWith("LATE(line 3 write 205 4")
                && l.endsWith("dd: error writing '/dev/mapper/era0': Input/output error")), String.join("\n", o.status()));
        assertEquals("0 816 era 8 9/1024 2 -", o.status().get(o.status().size() - 1), "resumed with the smaller table");
    }
}
