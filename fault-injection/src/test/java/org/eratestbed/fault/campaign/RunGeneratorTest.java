package org.eratestbed.fault.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.junit.jupiter.api.Test;

/** The generator's scripts are valid workload scripts; the crash chooser's helpers pick what they say. */
class RunGeneratorTest {
    @Test
    void generatedScriptsParseBackAndCoverTheFormat() {
        java.util.Set<String> words = new java.util.TreeSet<>();
        for (long seed = 0; seed < 300; seed++) {
            WorkloadScript s = WorkloadGenerator.generate(seed, RunGenerator.MAX_COMMANDS);
            WorkloadScript back = WorkloadParser.parse("back", s.toText());
            assertEquals(s.toText(), back.toText(), "seed " + seed);
            for (Command c : s.commands()) {
                words.add(c.text().split(" ")[0]);
            }
        }
        // Every command of the format a generated run can use (crash is the campaign's own, at its step).
        assertEquals(List.of("checkpoint", "create", "discard", "drop_metadata_snap", "flush", "invalidate",
                "invalidate_snap", "reload", "remove", "resume", "status", "suspend", "take_metadata_snap", "write"),
                List.copyOf(words));
    }

    @Test
    void aboutTwoPercentOfCommandsAreReloadsThatGrowShrinkOrKeepTheSizeAndMostlyGoLive() {
        int commands = 0;
        int reloads = 0;
        int grow = 0;
        int shrink = 0;
        int same = 0;
        int otherBlockSize = 0;
        int madeLive = 0;
        int suspendFirst = 0;
        for (long seed = 0; seed < 2000; seed++) {
            WorkloadScript s = WorkloadGenerator.generate(seed, RunGenerator.MAX_COMMANDS);
            List<Command> cmds = s.commands();
            commands += cmds.size();
            long size = s.target().originBlocks();
            for (int i = 0; i < cmds.size(); i++) {
                if (!(cmds.get(i) instanceof Command.Reload l)) {
                    continue;
                }
                reloads++;
                assertTrue(l.originBlocks() >= WorkloadGenerator.MIN_BLOCKS
                        && l.originBlocks() <= WorkloadGenerator.MAX_BLOCKS, "seed " + seed + ": " + l.text());
                if (l.blockSize().isPresent()) {
                    assertTrue(l.blockSize().getAsLong() != s.target().blockSize(), "seed " + seed);
                    otherBlockSize++;
                    continue;
                }
                if (l.originBlocks() > size) {
                    grow++;
                } else if (l.originBlocks() < size) {
                    shrink++;
                } else {
                    same++;
                }
                size = l.originBlocks();
                if (i + 1 < cmds.size() && cmds.get(i + 1) instanceof Command.Simple next
                        && (next.kind() == Command.Kind.SUSPEND || next.kind() == Command.Kind.RESUME)) {
                    madeLive++;
                    if (i > 0 && cmds.get(i - 1) instanceof Command.Simple prev && prev.kind() == Command.Kind.SUSPEND
                            && next.kind() == Command.Kind.RESUME) {
                        suspendFirst++;
                    }
                }
            }
        }
        double share = (double) reloads / commands;
        assertTrue(share > 0.015 && share < 0.03, "reloads: " + reloads + " of " + commands + " commands");
        assertTrue(grow > reloads / 5 && shrink > reloads / 5 && same > reloads / 5,
                "grow " + grow + ", shrink " + shrink + ", same " + same + " of " + reloads);
        assertTrue(otherBlockSize > 0 && otherBlockSize < reloads / 10, "another block size: " + otherBlockSize);
        assertTrue(madeLive > reloads * 6 / 10, "made live at once: " + madeLive + " of " + reloads);
        assertTrue(suspendFirst > madeLive / 3 && suspendFirst < madeLive * 2 / 3,
                "loaded while suspended: " + suspendFirst + " of " + madeLive);
    }

    @Test
    void severalWritersHitOneBlockBackToBack() {
        int runs = 0;
        for (long seed = 0; seed < 200; seed++) {
            List<Command> cmds = WorkloadGenerator.generate(seed, RunGenerator.MAX_COMMANDS).commands();
            for (int i = 2; i < cmds.size(); i++) {
                if (cmds.get(i) instanceof Command.Write a && cmds.get(i - 1) instanceof Command.Write b
                        && cmds.get(i - 2) instanceof Command.Write c && a.count() == 1 && b.count() == 1
                        && c.count() == 1 && a.first() == b.first() && b.first() == c.first()) {
                    runs++;
                    break;
                }
            }
        }
        assertTrue(runs >= 20, "scripts with three writers to one block: " + runs + " of 200");
    }

    @Test
    void theLastStepOfACommitIsTheOneBeforeItDrains() {
        List<Long> commits = List.of(3L, 4L, 5L, 9L, 10L, 20L);
        assertEquals(5L, RunGenerator.lastStepOf(commits, 0));
        assertEquals(5L, RunGenerator.lastStepOf(commits, 2));
        assertEquals(10L, RunGenerator.lastStepOf(commits, 3));
        assertEquals(20L, RunGenerator.lastStepOf(commits, 5));
    }
}
