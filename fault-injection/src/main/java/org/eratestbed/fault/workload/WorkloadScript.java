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

    /** The script as text: what {@link WorkloadParser#parse} reads back to an equal script (line numbers aside). */
    public String toText() {
        StringBuilder b = new StringBuilder(target.text()).append('\n');
        for (Command c : commands) {
            b.append(c.text()).append('\n');
        }
        return b.toString();
    }
}
