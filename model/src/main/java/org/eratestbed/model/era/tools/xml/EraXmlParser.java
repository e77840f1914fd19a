package org.eratestbed.model.era.tools.xml;

import java.io.InputStream;
import java.io.Reader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.eratestbed.device.BadInputException;

/**
 * Reads era_dump XML (0.9.0's {@code <bit>} form and the Rust tools' compact {@code <marked>} form) and
 * plays it to an {@link EraXmlVisitor}, streaming. Checks what era_restore needs to be true: the nesting,
 * every attribute present and a u32, bits inside nr_bits. Anything else is a BadInputException naming the
 * line. DTDs and external entities are refused.
 */
public final class EraXmlParser {
    private static final long U32_MAX = 0xFFFFFFFFL;

    private EraXmlParser() {
    }

    public static EraDump parse(Reader in) {
        EraDump.Collector c = new EraDump.Collector();
        parse(in, c);
        if (c.result() == null) {
            throw new BadInputException("era XML: no <superblock> element");
        }
        return c.result();
    }

    public static EraDump parse(String xml) {
        return parse(new java.io.StringReader(xml));
    }

    public static void parse(InputStream in, EraXmlVisitor v) {
        try {
            run(factory().createXMLStreamReader(in), v);
        } catch (XMLStreamException e) {
            throw new BadInputException("era XML: " + e.getMessage());
        }
    }

    public static void parse(Reader in, EraXmlVisitor v) {
        try {
            run(factory().createXMLStreamReader(in), v);
        } catch (XMLStreamException e) {
            throw new BadInputException("era XML: " + oneLine(e.getMessage()));
        }
    }

    static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    private static void run(XMLStreamReader r, EraXmlVisitor v) throws XMLStreamException {
        // 0 outside, 1 in superblock, 2 in writeset, 3 in era_array, 4 in an empty element (bit/marked/era)
        int state = 0;
        boolean seenSuperblock = false;
        long nrBits = 0;
        while (r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                String name = r.getLocalName();
                int line = r.getLocation().getLineNumber();
                switch (name) {
                    case "superblock" -> {
                        expect(state == 0 && !seenSuperblock, line, name);
                        seenSuperblock = true;
                        String uuid = r.getAttributeValue(null, "uuid");
                        if (uuid == null) {
                            throw bad(line, "<superblock> lacks attribute uuid");
                        }
                        v.superblockBegin(uuid, u32(r, "block_size", line), u32(r, "nr_blocks", line),
                                u32(r, "current_era", line));
                        state = 1;
                    }
                    case "writeset" -> {
                        expect(state == 1, line, name);
                        long era = u32(r, "era", line);
                        nrBits = u32(r, "nr_bits", line);
                        v.writesetBegin(era, nrBits);
                        state = 2;
                    }
                    case "bit" -> {
                        expect(state == 2, line, name);
                        long block = u32(r, "block", line);
                        String value = r.getAttributeValue(null, "value");
                        if (!"true".equals(value) && !"false".equals(value)) {
                            throw bad(line, "<bit> value \"" + value + "\" is not true or false");
                        }
                        if (block >= nrBits) {
                            throw bad(line, "<bit block=\"" + block + "\"> outside the writeset's nr_bits " + nrBits);
                        }
                        if (value.equals("true")) {
                            v.writesetBlocks(block, 1);
                        }
                        state = 4;
                    }
                    case "marked" -> {
                        expect(state == 2, line, name);
                        long begin = u32(r, "block_begin", line);
                        long len = u32(r, "len", line);
                        if (begin + len > nrBits) {
                            throw bad(line, "<marked> run " + begin + "+" + len + " outside the writeset's nr_bits " + nrBits);
                        }
                        if (len > 0) {
                            v.writesetBlocks(begin, len);
                        }
                        state = 4;
                    }
                    case "era_array" -> {
                        expect(state == 1, line, name);
                        v.eraArrayBegin();
                        state = 3;
                    }
                    case "era" -> {
                        expect(state == 3, line, name);
                        v.era(u32(r, "block", line), u32(r, "era", line));
                        state = 4;
                    }
                    default -> throw bad(line, "unknown element <" + name + ">");
                }
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                switch (r.getLocalName()) {
                    case "superblock" -> {
                        v.superblockEnd();
                        state = 0;
                    }
                    case "writeset" -> {
                        v.writesetEnd();
                        state = 1;
                    }
                    case "era_array" -> {
                        v.eraArrayEnd();
                        state = 1;
                    }
                    case "bit", "marked" -> state = 2;
                    case "era" -> state = 3;
                    default -> {
                        // unknown start elements were refused already
                    }
                }
            } else if (ev == XMLStreamConstants.CHARACTERS && state == 4 && !r.isWhiteSpace()) {
                throw bad(r.getLocation().getLineNumber(), "text inside an empty element");
            }
        }
        if (!seenSuperblock) {
            throw new BadInputException("era XML: no <superblock> element");
        }
    }

    private static void expect(boolean ok, int line, String name) {
        if (!ok) {
            throw bad(line, "<" + name + "> out of place");
        }
    }

    private static BadInputException bad(int line, String msg) {
        return new BadInputException("era XML line " + line + ": " + msg);
    }

    static long u32(XMLStreamReader r, String attr, int line) {
        String s = r.getAttributeValue(null, attr);
        if (s == null) {
            throw bad(line, "<" + r.getLocalName() + "> lacks attribute " + attr);
        }
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0 || v > U32_MAX) {
                throw bad(line, "attribute " + attr + "=\"" + s + "\" is not a 32-bit unsigned number");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(line, "attribute " + attr + "=\"" + s + "\" is not a number");
        }
    }
}
