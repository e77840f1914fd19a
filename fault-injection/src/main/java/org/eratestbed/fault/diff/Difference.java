package org.eratestbed.fault.diff;

/**
 * The first place where two replays of one script disagree: the file it is in ({@code status.txt}, an
 * {@code invalidate-<N>.xml}, or {@code dump --logical} of the final {@code meta.img}), its 1-based line, and
 * what each side has there ({@code null} when that side's file ends before the line, or has no such file).
 */
public record Difference(String script, String file, int line, String leftName, String left, String rightName,
        String right) {

    /** The report the CLI prints: where, then both lines, so a reader needs no other file to see it. */
    public String describe() {
        return script + ": " + file + " line " + line + " differs\n"
                + "  " + leftName + ": " + show(left) + "\n"
                + "  " + rightName + ": " + show(right);
    }

    private static String show(String s) {
        return s == null ? "<nothing: the file ends before this line>" : s;
    }
}
