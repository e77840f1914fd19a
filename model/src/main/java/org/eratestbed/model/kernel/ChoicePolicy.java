package org.eratestbed.model.kernel;

import java.util.List;

/**
 * Picks the next step of a deterministic run among the enabled ones (actors that can run, events that can
 * fire). Options are labelled {@code actor:<name>@<point>} or {@code event:<source>:<what>}, in a stable
 * order (actors in spawn order, then events in source order), so a sequence of choices replays exactly.
 */
public interface ChoicePolicy {
    int choose(long step, List<String> options);
}
