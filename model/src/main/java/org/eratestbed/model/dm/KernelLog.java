package org.eratestbed.model.dm;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel log (dmesg) of a model run: DMERR/DMWARN lines with the target's prefix, e.g.
 * {@code device-mapper: era: metadata_drop_snap: no snap to drop}. The replay prints the lines a failed
 * command logged, as the real kernel's run records them.
 */
public final class KernelLog {
    private final List<String> lines = new ArrayList<>();

    public synchronized void err(String prefix, String message) {
        lines.add("device-mapper: " + prefix + ": " + message);
    }

    public synchronized void core(String message) {
        lines.add("device-mapper: " + message);
    }

    /** Position to pass to {@link #since(int)}. */
    public synchronized int mark() {
        return lines.size();
    }

    public synchronized List<String> since(int mark) {
        return List.copyOf(lines.subList(Math.min(mark, lines.size()), lines.size()));
    }

    public synchronized List<String> all() {
        return List.copyOf(lines);
    }
}
