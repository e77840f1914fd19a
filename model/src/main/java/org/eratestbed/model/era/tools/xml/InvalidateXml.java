package org.eratestbed.model.era.tools.xml;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.eratestbed.device.BadInputException;

/**
 * era_invalidate's {@code <blocks>} document. The writer prints 0.9.0's bytes: a run of one block as
 * {@code <block block="b"/>}, longer runs as {@code <range begin="b" end = "e"/>} (end exclusive, and the
 * odd spaces around the second {@code =} are 0.9.0's); the parser reads that and the Rust tools' form.
 */
public final class InvalidateXml {
    private InvalidateXml() {
    }

    /** Streams runs of blocks, merging adjacent ones; call {@link #finish()} at the end. */
    public static final class RunWriter {
        private final Writer out;
        private long begin = -1;
        private long end = -1;

        public RunWriter(Writer out) {
            this.out = out;
            write("<blocks>\n");
        }

        /** Blocks {@code [b, e)}; calls must come in ascending order. */
        public void run(long b, long e) {
            if (b == end) {
                end = e;
                return;
            }
            flushRun();
            begin = b;
            end = e;
        }

        private void flushRun() {
            if (begin < 0) {
                return;
            }
            if (end - begin == 1) {
                write("  <block block=\"" + begin + "\"/>\n");
            } else {
                write("  <range begin=\"" + begin + "\" end = \"" + end + "\"/>\n");
            }
            begin = -1;
        }

        public void finish() {
            flushRun();
            write("</blocks>\n");
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void write(String s) {
            try {
                out.write(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The runs {@code {begin, end}} of an era_invalidate document, in document order. */
    public static List<long[]> parse(String xml) {
        return parse(new StringReader(xml));
    }

    public static List<long[]> parse(Reader in) {
        List<long[]> runs = new ArrayList<>();
        try {
            XMLStreamReader r = EraXmlParser.factory().createXMLStreamReader(in);
            boolean seen = false;
            while (r.hasNext()) {
                if (r.next() != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                int line = r.getLocation().getLineNumber();
                switch (r.getLocalName()) {
                    case "blocks" -> seen = true;
                    case "block" -> {
                        long b = EraXmlParser.u32(r, "block", line);
                        runs.add(new long[] {b, b + 1});
                    }
                    case "range" -> runs.add(new long[] {EraXmlParser.u32(r, "begin", line), EraXmlParser.u32(r, "end", line)});
                    default -> throw new BadInputException("invalidate XML line " + line + ": unknown element <"
                            + r.getLocalName() + ">");
                }
            }
            if (!seen) {
                throw new BadInputException("invalidate XML: no <blocks> element");
            }
        } catch (XMLStreamException e) {
            throw new BadInputException("invalidate XML: " + EraXmlParser.oneLine(e.getMessage()));
        }
        return runs;
    }
}
