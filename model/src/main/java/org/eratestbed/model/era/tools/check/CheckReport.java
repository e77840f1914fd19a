package org.eratestbed.model.era.tools.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@code check} found. At most {@link #MAX_LINES} problems are kept (a badly damaged multi-GiB image
 * could otherwise yield millions of lines); the rest are only counted.
 */
public final class CheckReport {
    public static final int MAX_LINES = 1000;

    private final List<Problem> problems = new ArrayList<>();
    private long errors;
    private long warnings;
    private String notEraImage;
    private String summary = "";

    void add(Problem p) {
        if (p.severity() == Problem.Severity.ERROR) {
            errors++;
        } else {
            warnings++;
        }
        if (problems.size() < MAX_LINES) {
            problems.add(p);
        }
    }

    void notEraImage(String why) {
        this.notEraImage = why;
    }

    void summary(String s) {
        this.summary = s;
    }

    /** Non-null when the input is no era metadata at all (empty, unformatted, another format). */
    public String notEraImage() {
        return notEraImage;
    }

    public boolean ok() {
        return notEraImage == null && errors == 0;
    }

    public long errorCount() {
        return errors;
    }

    public long warningCount() {
        return warnings;
    }

    public List<Problem> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** The report as lines: one per problem, plus a count of those not kept. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (notEraImage != null) {
            out.add(notEraImage);
        }
        for (Problem p : problems) {
            out.add(p.toString());
        }
        long dropped = errors + warnings - problems.size();
        if (dropped > 0) {
            out.add("... and " + dropped + " more problems");
        }
        return out;
    }

    /** One line describing a clean image (sizes, era, writesets, metadata use). */
    public String summary() {
        return summary;
    }
}
