package org.eratestbed.fault.campaign;

/** Reads the current era out of a dm-era status line ({@code 0 <len> era 8 <used>/<total> <era> <snap|->}). */
public final class StatusLine {
    private StatusLine() {
    }

    /** The era (a u32, as a long), or -1 when the line is not an INFO status line (e.g. {@code Error}). */
    public static long era(String line) {
        String[] w = line.split(" ");
        if (w.length != 7 || !w[2].equals("era")) {
            return -1;
        }
        try {
            return Integer.toUnsignedLong(Integer.parseUnsignedInt(w[5]));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
