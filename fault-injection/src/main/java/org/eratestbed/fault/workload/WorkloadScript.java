package org.eratestbed.fault.workload;

import java.util.List;

/** A parsed workload script: its target line and the commands after it, in order. */
public record WorkloadScript(String name, Command.Target target, List<Command> commands) {
    public WorkloadScript {
        commands = List.copyOf(commands);
    }

    /** True if the script ends in a crash (the target is then not removed at the end). */
    public boolean crashes() {
        return !commands.isEmpty() && commands.get(commands.size() - 1) instanceof Command.Simple s
                && s.kind() == Command.Kind.CRASH;
    }

    /**
     * The origin device's size in sectors: enough for the target line's table and for every {@code reload}'s,
     * each reload's length reckoned with the block size it names or else the largest named so far (an upper
     * bound whichever of them the device accepts).
     */
    public long originSectors() {
        long blockSize = target.blockSize();
        long sectors = target.lengthSectors();
        for (Command c : commands) {
            if (c instanceof Command.Reload l) {
                blockSize = Math.max(blockSize, l.blockSizeOr(blockSize));
                if (l.originBlocks() > Long.MAX_VALUE / blockSize / 512) {
                    throw new org.eratestbed.device.BadInputException(name + ":" + l.line() + ": reload origin_blocks="
                            + l.originBlocks() + " at block_size=" + blockSize + " does not fit a device size");
                }
                sectors = Math.max(sectors, l.originBlocks() * blockSize);
            }
        }
        return sectors;
    }

    /** The script as text: what {@link WorkloadParser#parse} reads back to an equal script (line numbers aside). */
    public String toText() {
        StringBuilder b = new StringBuilder(target.text()).append('\n');
        for (Command c : commands) {
            b.append(c.text()).append('\n');
        }
        return b.toString();
    }
}
