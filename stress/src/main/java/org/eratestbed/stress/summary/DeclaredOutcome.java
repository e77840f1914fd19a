package org.eratestbed.stress.summary;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.openjdk.jcstress.infra.StateCase;
import org.openjdk.jcstress.infra.TestInfo;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * An {@code @Outcome} a test declares: an id pattern (null for the catch-all), its expectation and description.
 * The result pages list only what was observed; the declarations add what was looked for and never seen —
 * for an interesting outcome, that absence is itself the finding ("not reproduced in this run").
 */
public record DeclaredOutcome(Pattern pattern, Expectation expect, String description) {

    /** The declarations of {@code test} from the jcstress test list on the class path; empty if it is not there. */
    public static List<DeclaredOutcome> of(String test) {
        TestInfo info;
        try {
            info = TestList.getInfo(test);
        } catch (RuntimeException e) {
            return List.of();
        }
        if (info == null) {
            return List.of();
        }
        List<DeclaredOutcome> declared = new ArrayList<>();
        for (StateCase c : info.cases()) {
            declared.add(new DeclaredOutcome(Pattern.compile(c.matchPattern()), Expectation.ofLabel(c.expect().name()),
                    c.description()));
        }
        StateCase other = info.unmatched();
        if (other != null) {
            declared.add(new DeclaredOutcome(null, Expectation.ofLabel(other.expect().name()), other.description()));
        }
        return declared;
    }

    /**
     * The summary's outcomes plus one zero-count outcome for each declaration no observed state matched. A
     * catch-all counts as matched when some observed state matched no id pattern.
     */
    public static TestSummary addUnobserved(TestSummary summary, List<DeclaredOutcome> declared) {
        List<Outcome> outcomes = new ArrayList<>(summary.outcomes());
        List<DeclaredOutcome> patterns = declared.stream().filter(d -> d.pattern != null).toList();
        for (DeclaredOutcome d : declared) {
            boolean seen;
            if (d.pattern != null) {
                seen = summary.outcomes().stream().anyMatch(o -> d.pattern.matcher(o.state()).matches());
            } else {
                seen = summary.outcomes().stream()
                        .anyMatch(o -> patterns.stream().noneMatch(p -> p.pattern.matcher(o.state()).matches()));
            }
            if (!seen) {
                outcomes.add(new Outcome(d.pattern != null ? d.pattern.pattern() : Outcome.OTHER, d.expect,
                        d.description, 0));
            }
        }
        return new TestSummary(summary.test(), summary.configurations(), List.copyOf(outcomes));
    }
}
