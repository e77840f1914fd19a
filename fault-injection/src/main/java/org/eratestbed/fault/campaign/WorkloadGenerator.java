package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.Command.Kind;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * Random workload scripts from a seed. Small devices on purpose: a few dozen era blocks make writes collide
 * with each other and with checkpoints, and 64 blocks or fewer reach the one-word bitset cache of
 * 2524933; metadata stays at a few MiB so crash states are cheap. The mix leans on what the reviewed bugs
 * need: overwrites of marked blocks around checkpoints (M1), several writers to one block not yet marked in
 * the era (2099b145), several archived eras before a digest (2524933), suspend/resume and reloads (de89afc1,
 * 9ae6e8b1), snapshots, and invalidate reads of the metadata mid-run. Every command of the workload format
 * but {@code crash} (the campaign crashes at its own step) is generated, reloads too: a resize (grow, shrink,
 * or the same size) now and then, usually made live at once by a suspend and a resume, and rarely a table of
 * another block size, which the constructor must refuse (c8e846ff).
 */
public final class WorkloadGenerator {
    private WorkloadGenerator() {
    }

    /** The generator's bounds on a table's size in era blocks (a target line's and a reload's). */
    static final int MIN_BLOCKS = 8;
    static final int MAX_BLOCKS = 264;

    /** Reloads per thousand draws: about 2% of a script's commands are reloads (each with the suspend and resume after it). */
    static final int RELOADS_PER_MILLE = 30;

    public static WorkloadScript generate(long seed, int maxCommands) {
        SplittableRandom r = new SplittableRandom(seed);
        long blockSize = 8L * (1 + r.nextInt(4));
        long originBlocks = r.nextInt(4) == 0 ? 65 + r.nextInt(MAX_BLOCKS - 64) : MIN_BLOCKS + r.nextInt(57);
        Command.Target target = new Command.Target(1, blockSize, originBlocks, 4);
        // Reloads draw from a stream of their own, so the other commands keep the draws they had before reloads
        // were generated: a script without a reload is the one the same seed always gave.
        SplittableRandom reloads = new SplittableRandom(seed ^ 0x7e10ad5eed5L);
        int n = 4 + r.nextInt(Math.max(1, maxCommands - 3));
        List<Command> cmds = new ArrayList<>();
        boolean suspended = false;
        boolean snap = false;
        // A small hot set makes overwrites of already-marked blocks common.
        long hot = Math.max(1, originBlocks / 4);
        // Blocks written since the last checkpoint: what the generator believes is marked in the current era.
        BitSet written = new BitSet();
        for (int i = 0; i < n; i++) {
            int line = i + 2;
            if (reloads.nextInt(1000) < RELOADS_PER_MILLE) {
                // The size the generator believes live from here on: writes aim inside it (a shrink's later
                // writes past the end would only be refused), and the hot set shrinks with it.
                int before = cmds.size();
                originBlocks = reload(reloads, cmds, line, blockSize, originBlocks, suspended);
                suspended = suspended && !(cmds.get(cmds.size() - 1) instanceof Command.Simple);
                hot = Math.max(1, originBlocks / 4);
                written.clear();
                i += cmds.size() - before - 1;
                continue;
            }
            int p = r.nextInt(100);
            if (suspended && p < 60) {
                cmds.add(new Command.Simple(line, Kind.RESUME));
                suspended = false;
                continue;
            }
            if (p < 45) {
                long first = r.nextInt(3) == 0 ? r.nextLong(originBlocks) : r.nextLong(hot);
                long count = 1 + r.nextLong(Math.min(4, originBlocks - first));
                cmds.add(new Command.Write(line, first, count));
                written.set((int) first, (int) (first + count));
                if (r.nextInt(4) == 0) {
                    // The same block again at once: with two commands in flight, the second write can reach
                    // map while the first one's mark is being committed (2099b145).
                    cmds.add(new Command.Write(line + 1, first, 1));
                    i++;
                }
            } else if (p < 58) {
                cmds.add(new Command.Simple(line, Kind.CHECKPOINT));
                written.clear();
            } else if (p < 62) {
                cmds.add(new Command.Simple(line, Kind.FLUSH));
            } else if (p < 67) {
                cmds.add(new Command.Simple(line, snap ? Kind.DROP_METADATA_SNAP : Kind.TAKE_METADATA_SNAP));
                snap = !snap;
            } else if (p < 73) {
                cmds.add(new Command.Simple(line, Kind.STATUS));
            } else if (p < 80) {
                cmds.add(new Command.Simple(line, Kind.SUSPEND));
                suspended = true;
            } else if (p < 84) {
                // Remove and create again on the same devices: the nearest the format has to a reload (a real
                // table swap constructs the new target while the old one is still there, suspended).
                cmds.add(new Command.Simple(line, Kind.REMOVE));
                cmds.add(new Command.Simple(line + 1, Kind.CREATE));
                suspended = false;
                i++;
            } else if (p < 89) {
                // A burst of eras: writes to different blocks with checkpoints in quick succession, so that
                // several archived writesets wait for one digest run (2524933 needs two digested back to back,
                // and the second must hold a block the first does not).
                long b = r.nextLong(originBlocks);
                for (int k = 0; k < 3; k++) {
                    cmds.add(new Command.Write(line++, (b + k) % originBlocks, 1));
                    cmds.add(new Command.Simple(line++, Kind.CHECKPOINT));
                }
                written.clear();
                i += 5;
            } else if (p < 90) {
                long first = r.nextLong(originBlocks);
                cmds.add(new Command.Discard(line, first, 1 + r.nextLong(Math.min(3, originBlocks - first))));
            } else if (p < 91) {
                // Read the metadata as it is on disk now (what a backup tool would see mid-run).
                cmds.add(new Command.Invalidate(line, r.nextInt(4), snap && r.nextBoolean()));
            } else {
                // Several writers to one block not yet marked in this era, back to back: with two or three
                // commands in flight, a later one can reach map while the worker commits the first one's
                // mark (2099b145).
                long block = unmarked(r, written, originBlocks);
                int writers = 2 + r.nextInt(2);
                for (int k = 0; k < writers; k++) {
                    cmds.add(new Command.Write(line + k, block, 1));
                }
                written.set((int) block);
                i += writers - 1;
            }
        }
        if (suspended) {
            cmds.add(new Command.Simple(cmds.size() + 2, Kind.RESUME));
        }
        return renumber(new WorkloadScript("generated-" + Long.toUnsignedString(seed, 16), target, cmds));
    }

    /**
     * Appends a reload and, usually, what makes it live: a suspend and a resume (or only a resume when the device
     * is suspended already); now and then nothing, so the table waits for a later resume, a create, or recovery.
     * Half the reloads made live at once load the table after the suspend rather than before it: both are what a
     * user does ({@code dmsetup reload} then {@code suspend}/{@code resume}, or suspend first), and they differ in
     * dm-era, whose constructor reads the metadata as the live table last committed it. The new size grows,
     * shrinks or stays, within the generator's bounds; one reload in sixteen names another block size, which the
     * constructor refuses, so the table and the size stay as they were. Returns the number of blocks the
     * generator should aim writes at from now on.
     */
    private static long reload(SplittableRandom r, List<Command> cmds, int line, long blockSize, long blocks,
            boolean suspended) {
        long size = switch (r.nextInt(3)) {
            case 0 -> Math.max(MIN_BLOCKS, blocks / 2 - r.nextLong(Math.max(1, blocks / 4)));
            case 1 -> Math.min(MAX_BLOCKS, blocks + 1 + r.nextLong(Math.max(1, blocks)));
            default -> blocks;
        };
        boolean otherBlockSize = r.nextInt(16) == 0;
        Command.Reload reload = new Command.Reload(0, size, otherBlockSize
                ? OptionalLong.of(blockSize + 8 * (1 + r.nextInt(3))) : OptionalLong.empty());
        int live = r.nextInt(8);
        if (live >= 6) {
            cmds.add(withLine(reload, line));
        } else if (suspended) {
            cmds.add(withLine(reload, line++));
            cmds.add(new Command.Simple(line, Kind.RESUME));
        } else if (r.nextBoolean()) {
            cmds.add(withLine(reload, line++));
            cmds.add(new Command.Simple(line++, Kind.SUSPEND));
            cmds.add(new Command.Simple(line, Kind.RESUME));
        } else {
            cmds.add(new Command.Simple(line++, Kind.SUSPEND));
            cmds.add(withLine(reload, line++));
            cmds.add(new Command.Simple(line, Kind.RESUME));
        }
        return otherBlockSize ? blocks : live < 6 ? size : Math.min(blocks, size);
    }

    /** A block not written since the last checkpoint, if a few tries find one; else any block. */
    private static long unmarked(SplittableRandom r, BitSet written, long originBlocks) {
        long b = r.nextLong(originBlocks);
        for (int t = 0; t < 4 && written.get((int) b); t++) {
            b = r.nextLong(originBlocks);
        }
        return b;
    }

    /** Gives commands the line numbers they have when the script is written out. */
    public static WorkloadScript renumber(WorkloadScript s) {
        List<Command> out = new ArrayList<>();
        int line = 2;
        for (Command c : s.commands()) {
            out.add(withLine(c, line++));
        }
        return new WorkloadScript(s.name(), new Command.Target(1, s.target().blockSize(), s.target().originBlocks(),
                s.target().metadataMib()), out);
    }

    static Command withLine(Command c, int line) {
        if (c instanceof Command.Write w) {
            return new Command.Write(line, w.first(), w.count());
        }
        if (c instanceof Command.Discard d) {
            return new Command.Discard(line, d.first(), d.count());
        }
        if (c instanceof Command.Invalidate v) {
            return new Command.Invalidate(line, v.era(), v.snapshot());
        }
        if (c instanceof Command.Reload l) {
            return new Command.Reload(line, l.originBlocks(), l.blockSize());
        }
        return new Command.Simple(line, ((Command.Simple) c).kind());
    }
}
