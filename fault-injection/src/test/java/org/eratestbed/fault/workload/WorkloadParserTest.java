package org.eratestbed.fault.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadParserTest {
    @Test
    void parsesTheKernelExamples() throws Exception {
        Path examples = Path.of("..", "..", "shared", "reference", "kernel-examples");
        List<Path> scripts;
        try (Stream<Path> s = Files.walk(examples)) {
            scripts = s.filter(p -> p.getFileName().toString().equals("script.era")).sorted().toList();
        }
        assertTrue(scripts.size() >= 2, "kernel examples not found under " + examples.toAbsolutePath());
        for (Path p : scripts) {
            WorkloadScript w = WorkloadParser.parse(p);
            assertEquals(128, w.target().blockSize());
            WorkloadScript again = WorkloadParser.parse("again", w.toText());
            assertEquals(w.toText(), again.toText());
        }
        WorkloadScript basic = WorkloadParser.parse(examples.resolve("01-basic/script.era"));
        assertEquals(new Command.Write(4, 0, 4), basic.commands().get(1));
        assertEquals(new Command.Invalidate(13, 1, false), basic.commands().get(9));
    }

    @Test
    void crashIsTheLastCommand() {
        WorkloadScript w = WorkloadParser.parse("s", "target block_size=8 origin_blocks=4 metadata_mib=4\nwrite 0 1\ncrash\n");
        assertTrue(w.crashes());
        BadInputException e = assertThrows(BadInputException.class, () -> WorkloadParser.parse("s",
                "target block_size=8 origin_blocks=4 metadata_mib=4\ncrash\nstatus\n"));
        assertEquals("s:3: 'status' after 'crash': crash must be the last command", e.getMessage());
    }

    @Test
    void reloadKeepsTheBlockSizeUnlessGivenAndSizesTheOriginForTheLargestTable() {
        WorkloadScript w = WorkloadParser.parse("s", "target block_size=8 origin_blocks=16 metadata_mib=4\n"
                + "reload origin_blocks=64\nreload origin_blocks=4 block_size=16\nreload block_size=0 origin_blocks=2\n");
        assertEquals(new Command.Reload(2, 64, java.util.OptionalLong.empty()), w.commands().get(0));
        assertEquals("reload origin_blocks=4 block_size=16", w.commands().get(1).text());
        assertEquals(java.util.OptionalLong.of(0), ((Command.Reload) w.commands().get(2)).blockSize());
        assertEquals(64 * 8, w.originSectors());
        assertEquals(w.toText(), WorkloadParser.parse("again", w.toText()).toText());
        // a later reload without block_size may get the bigger block size an earlier one asked for: sized for that
        WorkloadScript bigger = WorkloadParser.parse("s", "target block_size=8 origin_blocks=16 metadata_mib=4\n"
                + "reload origin_blocks=4 block_size=128\nreload origin_blocks=32\n");
        assertEquals(32 * 128, bigger.originSectors());
        assertEquals(16 * 8, WorkloadParser.parse("s", "target block_size=8 origin_blocks=16 metadata_mib=4\n"
                + "reload origin_blocks=2\n").originSectors());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "write 0 1|s:1: the first command must be 'target block_size=<sectors> origin_blocks=<N> metadata_mib=<M>', not 'write'",
        "target block_size=8 origin_blocks=4|s:1: target lacks metadata_mib=<number>",
        "target block_size=8 origin_blocks=4 metadata_mib=4 foo=1|s:1: unknown target key 'foo' (known: block_size, origin_blocks, metadata_mib)",
        "target block_size=-8 origin_blocks=4 metadata_mib=4|s:1: block_size must be a non-negative decimal number, not '-8'",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nwrte 0 1|s:2: unknown command 'wrte' (known: write, discard, flush, checkpoint, take_metadata_snap, drop_metadata_snap, suspend, resume, status, invalidate, invalidate_snap, reload, remove, create, crash)",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nwrite 0|s:2: 'write' takes 2 arguments, got 1 (usage: write <first_block> <count>)",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nwrite 0 0|s:2: write of 0 blocks does nothing: count must be at least 1",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nstatus now|s:2: 'status' takes 0 arguments, got 1 (usage: status)",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\ninvalidate 4294967296|s:2: era 4294967296 does not fit dm-era's 32-bit era counter",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\ntarget block_size=8 origin_blocks=4 metadata_mib=4|s:2: 'target' may only be the first command",
        "# only a comment|s: empty script: it needs at least a 'target' line",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload|s:2: reload lacks origin_blocks=<number> (usage: reload origin_blocks=<N> [block_size=<sectors>])",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload block_size=8|s:2: reload lacks origin_blocks=<number> (usage: reload origin_blocks=<N> [block_size=<sectors>])",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload origin_blocks=0|s:2: origin_blocks must be at least 1",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload origin_blocks=8 metadata_mib=4|s:2: unknown reload key 'metadata_mib' (known: origin_blocks, block_size)",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload origin_blocks=8 origin_blocks=9|s:2: reload key 'origin_blocks' given twice",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload 8|s:2: expected key=value in 'reload', found '8'",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload origin_blocks=x|s:2: origin_blocks must be a non-negative decimal number, not 'x'",
        "target block_size=8 origin_blocks=4 metadata_mib=4\\nreload origin_blocks=9223372036854775807 block_size=8|s:2: block_size * origin_blocks does not fit a device size",
    })
    void badScriptsGetOnePreciseLine(String script, String message) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> WorkloadParser.parse("s", script.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }
}
