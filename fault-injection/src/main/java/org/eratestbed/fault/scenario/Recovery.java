package org.eratestbed.fault.scenario;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.PageImage;

/**
 * After a crash: reopen the model on each crash state of the metadata disk, let it recover (create, which
 * resumes and so archives a recovered writeset; the digest; remove, which archives and commits), and ask what
 * a backup tool would ask: era_invalidate --written-since E.
 */
final class Recovery {
    /** More states than this are sampled (deterministically, seed 0). */
    static final int MAX_STATES = 8;

    /** What one crash state gave. */
    record StateResult(String state, TreeSet<Long> listed, List<String> problems, String recovery) {
    }

    private Recovery() {
    }

    /** The crash states to try: all when there are few, else the durable-only, the all-kept and a sample. */
    static List<CrashState> states(CrashSpace space) {
        List<CrashState> out = new ArrayList<>();
        if (space.isExhaustive(MAX_STATES)) {
            for (long i = 0; i < space.count().longValueExact(); i++) {
                out.add(space.state(BigInteger.valueOf(i)));
            }
            return out;
        }
        out.add(space.noneKept());
        out.add(space.allKept());
        space.select(0, MAX_STATES - 2).forEach(out::add);
        return out;
    }

    /** Recovers {@code state} with {@code side}'s code and lists the blocks written since {@code era}. */
    static StateResult recover(Side side, CrashState state, String table, long era) {
        PageImage base = state.materialize();
        Machine.Config c = new Machine.Config().metadataSectors(base.sizeSectors()).metadataBase(base);
        try (Machine m = new Machine(side.predicate(), c)) {
            Machine.Outcome created = m.create(table);
            m.settle();
            Machine.Outcome removed = m.remove();
            byte[] image = m.metadataImage();
            List<String> problems = Machine.check(image);
            TreeSet<Long> listed = problems.isEmpty() || created.ok() ? Machine.invalidate(image, era, false) : new TreeSet<>();
            return new StateResult("crash state " + state.index() + " (" + state.describe() + ")", listed, problems,
                    created + "; " + removed);
        }
    }
}
