package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.List;

/**
 * A finding's interleaving as the scheduler's choices (index of the chosen option at each step, up to the
 * crash). The plan's seed already reproduces it; the choices are kept beside it as evidence that does not
 * depend on the random generator, for a {@code ReplayPolicy} to run the same interleaving again.
 */
final class Schedule {
    private Schedule() {
    }

    static List<Integer> of(RunExecutor.Outcome o) {
        int[] choices = o.model().scheduler().choices();
        List<Integer> out = new ArrayList<>(choices.length);
        for (int c : choices) {
            out.add(c);
        }
        return out;
    }

    /** The choices as {@code schedule.txt}: space-separated, one line. */
    static String toText(List<Integer> schedule) {
        StringBuilder b = new StringBuilder();
        for (int c : schedule) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(c);
        }
        return b.append('\n').toString();
    }
}
