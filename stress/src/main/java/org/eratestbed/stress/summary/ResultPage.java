package org.eratestbed.stress.summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one per-test page jcstress 0.16 writes into its results folder ({@code <test class>.html}). The page's
 * "Results" table has one column per observed state and these rows: the states ({@code <th>}), their
 * expectations, their descriptions, then one row per configuration — compilation mode, scheduling class, JVM
 * options, status, then the count of each state. Only observed states appear.
 *
 * <p>Parsed by rows and cells rather than by exact markup, so attribute or whitespace changes do not break it;
 * a page without that table is rejected with a message naming what is missing.
 */
public final class ResultPage {
    private static final Pattern TITLE = Pattern.compile("<h1>(.*?)</h1>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern RESULTS = Pattern.compile("<h3>\\s*Results\\s*</h3>\\s*<table[^>]*>(.*?)</table>",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern ROW = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern CELL = Pattern.compile("<(t[hd])([^>]*)>(.*?)</t[hd]>",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    /** Columns before the per-state counts in a configuration row. */
    private static final int LEADING_COLUMNS = 4;

    private ResultPage() {
    }

    /** The test's name, observed outcomes and per-configuration statuses. */
    public static TestSummary parse(String html) {
        Matcher title = TITLE.matcher(html);
        if (!title.find()) {
            throw new IllegalArgumentException("not a jcstress test page: no <h1> test name");
        }
        String test = text(title.group(1));
        Matcher table = RESULTS.matcher(html);
        if (!table.find()) {
            throw new IllegalArgumentException(test + ": no 'Results' table");
        }
        List<List<Cell>> rows = new ArrayList<>();
        Matcher row = ROW.matcher(table.group(1));
        while (row.find()) {
            rows.add(cells(row.group(1)));
        }
        // Row 0 is the column header; the state row is the next one made of <th> cells after an empty spacer.
        if (rows.size() < 4) {
            throw new IllegalArgumentException(test + ": results table has " + rows.size() + " rows, expected >= 4");
        }
        List<String> states = values(rows.get(1), true);
        List<String> expects = values(rows.get(2), false);
        List<String> descriptions = values(rows.get(3), false);
        if (expects.size() != states.size() || descriptions.size() != states.size()) {
            throw new IllegalArgumentException(test + ": " + states.size() + " states but " + expects.size()
                    + " expectations and " + descriptions.size() + " descriptions");
        }
        long[] counts = new long[states.size()];
        List<TestSummary.Configuration> configurations = new ArrayList<>();
        for (List<Cell> config : rows.subList(4, rows.size())) {
            if (config.size() != LEADING_COLUMNS + states.size()) {
                throw new IllegalArgumentException(test + ": configuration row has " + config.size() + " cells, expected "
                        + (LEADING_COLUMNS + states.size()));
            }
            long samples = 0;
            for (int i = 0; i < states.size(); i++) {
                long n = count(test, config.get(LEADING_COLUMNS + i).text);
                counts[i] += n;
                samples += n;
            }
            configurations.add(new TestSummary.Configuration(config.get(2).text, config.get(3).text, samples));
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (int i = 0; i < states.size(); i++) {
            outcomes.put(states.get(i), new Outcome(states.get(i), Expectation.ofLabel(expects.get(i)),
                    descriptions.get(i), counts[i]));
        }
        return new TestSummary(test, configurations, List.copyOf(outcomes.values()));
    }

    private record Cell(boolean header, String attributes, String text) {
    }

    private static List<Cell> cells(String row) {
        List<Cell> cells = new ArrayList<>();
        Matcher m = CELL.matcher(row);
        while (m.find()) {
            cells.add(new Cell(m.group(1).equalsIgnoreCase("th"), m.group(2), text(m.group(3))));
        }
        return cells;
    }

    /** The cells of a state/expectation/description row, without the empty spacer that spans the first columns. */
    private static List<String> values(List<Cell> row, boolean header) {
        List<String> values = new ArrayList<>();
        for (Cell c : row) {
            if (c.attributes.toLowerCase().contains("colspan")) {
                continue;
            }
            if (c.header == header) {
                values.add(c.text);
            }
        }
        return values;
    }

    private static long count(String test, String cell) {
        String digits = cell.replace(",", "").trim();
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(test + ": sample count '" + cell + "' is not a number", e);
        }
    }

    private static String text(String html) {
        return TAG.matcher(html).replaceAll("")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&nbsp;", " ").replace("&amp;", "&")
                .strip();
    }
}
