package org.eratestbed.model.kernel;

import java.util.List;

/** Replays recorded choice indices; past their end (or where one no longer fits) it defers to a fallback. */
public final class ReplayPolicy implements ChoicePolicy {
    private final int[] choices;
    private final ChoicePolicy fallback;

    public ReplayPolicy(int[] choices, ChoicePolicy fallback) {
        this.choices = choices.clone();
        this.fallback = fallback;
    }

    @Override
    public int choose(long step, List<String> options) {
        if (step < choices.length && choices[(int) step] < options.size()) {
            return choices[(int) step];
        }
        return fallback.choose(step, options);
    }
}
