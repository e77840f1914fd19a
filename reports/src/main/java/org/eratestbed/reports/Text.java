package org.eratestbed.reports;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Locale;

/** Text from results as the report formats may hold it, and numbers as people read them. */
public final class Text {
    private Text() {
    }

    /**
     * Replaces what neither XML 1.0 nor HTML allows in text (control characters other than tab, line feed and
     * carriage return; lone surrogates; U+FFFE and U+FFFF) by U+FFFD, so that a stray byte in a message cannot
     * make junit.xml unparsable or the report's DOM differ from its source.
     */
    public static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c)) {
                ok = i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (ok) {
                    if (b != null) {
                        b.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else if (Character.isLowSurrogate(c)) {
                ok = false;
            } else {
                ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f) || (c > 0x9f && c < 0xfffe);
            }
            if (!ok && b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (b != null) {
                b.append(ok ? c : '\ufffd');
            }
        }
        return b == null ? s : b.toString();
    }

    /** 1,234,567 */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Exact up to 15 digits, then 1.23 × 10^29: a crash-state count can have hundreds of digits. */
    public static String count(BigInteger n) {
        if (n.bitLength() < 50) {
            return count(n.longValue());
        }
        BigDecimal d = new BigDecimal(n).round(new MathContext(3));
        int exp = d.precision() - d.scale() - 1;
        return d.movePointLeft(exp).stripTrailingZeros().toPlainString() + " \u00d7 10^" + exp;
    }

    /** 850 ms, 12.3 s, 4 min 05 s, 2 h 07 min */
    public static String duration(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** 12.5% of a whole, "-" of nothing. */
    public static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    /** 1.5 KiB, 12.0 MiB */
    public static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
