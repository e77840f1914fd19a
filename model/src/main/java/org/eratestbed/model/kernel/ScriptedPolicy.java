package org.eratestbed.model.kernel;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Follows a script of label fragments: while the next fragment matches an enabled option (substring), that
 * option runs and the fragment is consumed; otherwise the first enabled option runs. This is how a reviewed
 * race is written down as an exact interleaving ("W1 defers, the worker sets the bit, W2 passes map, crash").
 */
public final class ScriptedPolicy implements ChoicePolicy {
    private final Deque<String> script;

    public ScriptedPolicy(List<String> fragments) {
        this.script = new ArrayDeque<>(fragments);
    }

    @Override
    public int choose(long step, List<String> options) {
        String next = script.peekFirst();
        if (next != null) {
            for (int i = 0; i < options.size(); i++) {
                if (options.get(i).contains(next)) {
                    script.removeFirst();
                    return i;
                }
            }
        }
        return 0;
    }

    /** The fragments not matched yet: a scenario whose script is not consumed did not happen as written. */
    public List<String> remaining() {
        return List.copyOf(script);
    }
}
