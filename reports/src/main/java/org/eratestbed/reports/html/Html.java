package org.eratestbed.reports.html;

import org.eratestbed.reports.Text;

/**
 * Builds HTML text. Everything that comes from results goes through {@link #text}: a shrunk script can hold
 * {@code <script>} or {@code &}, and must show as those characters, never act as markup.
 */
final class Html {
    private final StringBuilder out = new StringBuilder(64 * 1024);

    /** Escapes text for element content and quoted attribute values alike. */
    static String esc(String s) {
        String clean = Text.clean(s);
        StringBuilder b = new StringBuilder(clean.length() + 16);
        for (int i = 0; i < clean.length(); i++) {
            char c = clean.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Markup written by this module (never from results). */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    Html text(String s) {
        out.append(esc(s));
        return this;
    }

    /** {@code <tag class="cls">text</tag>}, text escaped. */
    Html el(String tag, String cls, String s) {
        out.append('<').append(tag);
        if (cls != null) {
            out.append(" class=\"").append(cls).append('"');
        }
        out.append('>').append(esc(s)).append("</").append(tag).append('>');
        return this;
    }

    Html el(String tag, String s) {
        return el(tag, null, s);
    }

    /** A table column: its header, and whether its cells are numbers (right-aligned, tabular digits). */
    record Col(String name, boolean numeric) {
        static Col text(String name) {
            return new Col(name, false);
        }

        static Col num(String name) {
            return new Col(name, true);
        }
    }

    /** Opens a table with a header row of {@code cols}. */
    Html table(String cls, Col... cols) {
        out.append("<table").append(cls == null ? "" : " class=\"" + cls + "\"").append("><thead><tr>");
        for (Col c : cols) {
            out.append(c.numeric ? "<th class=\"num\">" : "<th>").append(esc(c.name)).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        return this;
    }

    /** A row of escaped cells, aligned as {@code cols} say. */
    Html row(Col[] cols, String... cells) {
        out.append("<tr>");
        for (int i = 0; i < cells.length; i++) {
            boolean num = i < cols.length && cols[i].numeric;
            out.append(num ? "<td class=\"num\">" : "<td>").append(esc(cells[i])).append("</td>");
        }
        out.append("</tr>\n");
        return this;
    }

    Html endTable() {
        out.append("</tbody></table>\n");
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
