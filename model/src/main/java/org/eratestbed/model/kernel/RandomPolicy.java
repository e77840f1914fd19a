package org.eratestbed.model.kernel;

import java.util.List;
import java.util.SplittableRandom;

/** Uniform choice from a seed: the campaigns' default. */
public final class RandomPolicy implements ChoicePolicy {
    private final SplittableRandom random;

    public RandomPolicy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int choose(long step, List<String> options) {
        return random.nextInt(options.size());
    }
}
