package org.eratestbed.reports.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Charts as inline SVG, drawn here so that the report needs no script, font or image from anywhere: it
 * opens the same on an air-gapped machine, in a CI artifact viewer or in a mail attachment.
 */
final class SvgChart {
    static final String[] PALETTE = {"#1f5fa8", "#2e8b57", "#7b3fa0", "#c2571a", "#138d90", "#6b7280", "#a61b4a",
        "#3b4a6b"};

    /** A line: {@code xs} and {@code ys} of equal length, x ascending. */
    record Series(String label, double[] xs, double[] ys, String color, double width) {
    }

    /** A vertical marker at {@code x}, with a tooltip. */
    record Marker(double x, String label, String color) {
    }

    /** A bar group's series: one value per category. */
    record Bars(String label, long[] values, String color) {
    }

    private static final int W = 1000;
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 34;
    private static final int BOTTOM = 52;

    private SvgChart() {
    }

    /** A line chart of time (ms) against a count, with a legend when there is more than one line. */
    static String lineChart(String title, List<Series> series, List<Marker> markers, String yLabel, int height) {
        double maxMs = 1;
        double maxY = 1;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                maxMs = Math.max(maxMs, s.xs[i]);
                maxY = Math.max(maxY, s.ys[i]);
            }
        }
        for (Marker m : markers) {
            maxMs = Math.max(maxMs, m.x);
        }
        TimeUnit unit = TimeUnit.of(maxMs);
        double[] xt = ticks(maxMs / unit.ms);
        double[] yt = ticks(maxY);
        double xMax = xt[xt.length - 1] * unit.ms;
        double yMax = yt[yt.length - 1];
        int plotW = W - LEFT - RIGHT;
        int plotH = height - TOP - BOTTOM;
        StringBuilder b = open(title, height);
        for (double y : yt) {
            double py = TOP + plotH - y / yMax * plotH;
            b.append(line(LEFT, py, LEFT + plotW, py, y == 0 ? "#8c959f" : "#e5e7eb", 1));
            b.append(text(LEFT - 8, py + 4, "end", compact(y), "#57606a"));
        }
        for (double x : xt) {
            double px = LEFT + x * unit.ms / xMax * plotW;
            b.append(line(px, TOP + plotH, px, TOP + plotH + 5, "#8c959f", 1));
            b.append(text(px, TOP + plotH + 19, "middle", compact(x), "#57606a"));
        }
        b.append(text(LEFT + plotW / 2.0, height - 10, "middle", "time since campaign start (" + unit.label + ")",
                "#1b1f24"));
        b.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#1b1f24\" transform=\"rotate(-90 16 %.1f)\">"
                        + "%s</text>\n", TOP + plotH / 2.0, TOP + plotH / 2.0, Html.esc(yLabel)));
        for (Marker m : markers) {
            double px = LEFT + m.x / xMax * plotW;
            b.append(String.format(Locale.ROOT, "<g class=\"marker\"><title>%s</title>", Html.esc(m.label)));
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\" "
                            + "stroke-dasharray=\"4 3\"/>", px, TOP, px, TOP + plotH, m.color));
            b.append(String.format(Locale.ROOT, "<path d=\"M%.1f %d l-5 -8 h10 z\" fill=\"%s\"/></g>\n", px, TOP,
                    m.color));
        }
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.xs.length; i++) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + s.xs[i] / xMax * plotW,
                        TOP + plotH - s.ys[i] / yMax * plotH));
            }
            b.append(String.format(Locale.ROOT,
                    "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" "
                            + "stroke-linejoin=\"round\" points=\"%s\"><title>%s</title></polyline>\n",
                    s.color, s.width, pts.toString().strip(), Html.esc(s.label)));
        }
        b.append(line(LEFT, TOP, LEFT, TOP + plotH, "#8c959f", 1));
        if (series.size() > 1 || !markers.isEmpty()) {
            List<String[]> legend = new ArrayList<>();
            for (Series s : series) {
                legend.add(new String[] {s.label, s.color, "line"});
            }
            if (!markers.isEmpty()) {
                legend.add(new String[] {"first detection of a defect", "#b42318", "marker"});
            }
            legend(b, legend);
        }
        return b.append("</svg>\n").toString();
    }

    /** Grouped bars: one group per category, one bar per series, the value over each bar. */
    static String barChart(String title, List<String> categories, List<String> subLabels, List<Bars> series,
            String yLabel, int height) {
        long max = 1;
        for (Bars s : series) {
            for (long v : s.values) {
                max = Math.max(max, v);
            }
        }
        // Room above the tallest bar for its value label, below the legend.
        double[] yt = integerTicks(max + Math.max(1, max / 8));
        double yMax = yt[yt.length - 1];
        int plotW = W - LEFT - RIGHT;
        int plotH = height - TOP - BOTTOM;
        StringBuilder b = open(title, height);
        for (double y : yt) {
            double py = TOP + plotH - y / yMax * plotH;
            b.append(line(LEFT, py, LEFT + plotW, py, y == 0 ? "#8c959f" : "#e5e7eb", 1));
            b.append(text(LEFT - 8, py + 4, "end", compact(y), "#57606a"));
        }
        b.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#1b1f24\" transform=\"rotate(-90 16 %.1f)\">"
                        + "%s</text>\n", TOP + plotH / 2.0, TOP + plotH / 2.0, Html.esc(yLabel)));
        double groupW = (double) plotW / categories.size();
        double barW = Math.min(56, groupW * 0.7 / series.size());
        for (int c = 0; c < categories.size(); c++) {
            double gx = LEFT + c * groupW + (groupW - barW * series.size()) / 2;
            for (int s = 0; s < series.size(); s++) {
                Bars bars = series.get(s);
                long v = bars.values[c];
                double h = v / yMax * plotH;
                double x = gx + s * barW;
                b.append(String.format(Locale.ROOT,
                        "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                                + "<title>%s</title></rect>\n", x + 2, TOP + plotH - h, barW - 4, h, bars.color,
                        Html.esc(categories.get(c) + ": " + v + " " + bars.label)));
                b.append(text(x + barW / 2, TOP + plotH - h - 5, "middle", Long.toString(v), "#1b1f24"));
            }
            double cx = LEFT + c * groupW + groupW / 2;
            b.append(text(cx, TOP + plotH + 18, "middle", categories.get(c), "#1b1f24"));
            b.append(text(cx, TOP + plotH + 34, "middle", subLabels.get(c), "#57606a"));
        }
        b.append(line(LEFT, TOP, LEFT, TOP + plotH, "#8c959f", 1));
        List<String[]> legend = new ArrayList<>();
        for (Bars s : series) {
            legend.add(new String[] {s.label, s.color, "box"});
        }
        legend(b, legend);
        return b.append("</svg>\n").toString();
    }

    private static StringBuilder open(String title, int height) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                + "role=\"img\" aria-label=\"%s\" font-size=\"12\">\n<title>%s</title>\n", W, height,
                Html.esc(title), Html.esc(title)));
        return b;
    }

    private static void legend(StringBuilder b, List<String[]> entries) {
        double x = LEFT + 8;
        for (String[] e : entries) {
            String swatch = switch (e[2]) {
                case "line" -> String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" stroke=\"%s\" stroke-width=\"3\"/>", x,
                        x + 18, e[1]);
                case "marker" -> String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"6\" x2=\"%.1f\" y2=\"22\" stroke=\"%s\" stroke-width=\"1.5\" "
                                + "stroke-dasharray=\"4 3\"/>", x + 9, x + 9, e[1]);
                default -> String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>", x + 3, e[1]);
            };
            b.append("<g class=\"legend\">").append(swatch)
                    .append(text(x + 24, 18, "start", e[0], "#1b1f24")).append("</g>\n");
            x += 24 + 7.0 * e[0].length() + 22;
        }
    }

    private static String line(double x1, double y1, double x2, double y2, String color, double width) {
        return String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                x1, y1, x2, y2, color, width);
    }

    private static String text(double x, double y, String anchor, String s, String color) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s</text>",
                x, y, anchor, color, Html.esc(s));
    }

    /** About five round steps from 0 to at least {@code max}. */
    static double[] ticks(double max) {
        if (max <= 0) {
            max = 1;
        }
        double raw = max / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
        int n = (int) Math.ceil(max / step - 1e-9);
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            t[i] = i * step;
        }
        return t;
    }

    /** Like {@link #ticks}, in whole steps: counts of findings are integers. */
    static double[] integerTicks(long max) {
        double[] t = ticks(max);
        if (t.length > 1 && t[1] >= 1) {
            return t;
        }
        double[] ones = new double[(int) max + 1];
        for (int i = 0; i <= max; i++) {
            ones[i] = i;
        }
        return ones;
    }

    /** 0, 2.5, 750, 1.5k, 12M */
    static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** The unit of a time axis: the one whose tick labels stay short. */
    private enum TimeUnit {
        MS(1, "ms"), S(1000, "s"), MIN(60_000, "min"), H(3_600_000, "h");

        final double ms;
        final String label;

        TimeUnit(double ms, String label) {
            this.ms = ms;
            this.label = label;
        }

        static TimeUnit of(double maxMs) {
            return maxMs < 2_000 ? MS : maxMs < 180_000 ? S : maxMs < 3 * 3_600_000 ? MIN : H;
        }
    }
}
