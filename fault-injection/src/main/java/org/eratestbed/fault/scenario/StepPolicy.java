package org.eratestbed.fault.scenario;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.eratestbed.model.kernel.ChoicePolicy;

/**
 * How a scenario writes its interleaving down: a script of label fragments, taken in order whenever the
 * next one matches an enabled option (as {@link org.eratestbed.model.kernel.ScriptedPolicy} does), and a set
 * of <em>held</em> points: an option matching a held fragment runs only when nothing else can. Otherwise the
 * first enabled option runs (actors in spawn order, then device completions).
 *
 * <p>Holding is how "the worker is preempted right here while the user's write goes through" is said: hold
 * the worker at its yield point; everything else runs; when nothing else can, it resumes.
 */
final class StepPolicy implements ChoicePolicy {
    private final Deque<String> script = new ArrayDeque<>();
    private final List<String> held = new ArrayList<>();

    StepPolicy script(String... fragments) {
        script.addAll(List.of(fragments));
        return this;
    }

    StepPolicy hold(String... fragments) {
        held.addAll(List.of(fragments));
        return this;
    }

    void release(String fragment) {
        held.remove(fragment);
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
        for (int i = 0; i < options.size(); i++) {
            if (!isHeld(options.get(i))) {
                return i;
            }
        }
        return 0;
    }

    private boolean isHeld(String option) {
        for (String h : held) {
            if (option.contains(h)) {
                return true;
            }
        }
        return false;
    }

    /** Fragments not matched yet: a scenario whose script is left over did not run as written. */
    List<String> remaining() {
        return List.copyOf(script);
    }
}
