package org.eratestbed.model.era.tools.xml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.util.BitSet;
import java.util.List;
import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;

class EraXmlParserTest {
    private static final String COMPACT = """
            <superblock uuid="" block_size="128" nr_blocks="10" current_era="7">
              <writeset era="6" nr_bits="10">
                <marked block_begin="2" len="3"/>
                <marked block_begin="9" len="1"/>
              </writeset>
              <era_array>
                <era block="0" era="1"/>
                <era block="1" era="7"/>
              </era_array>
            </superblock>
            """;

    @Test
    void readsTheRustCompactFormAndWritesZeroNineZerosForm() {
        EraDump d = EraXmlParser.parse(COMPACT);
        assertEquals(10, d.nrBlocks());
        assertEquals(7, d.currentEra());
        BitSet want = new BitSet();
        want.set(2, 5);
        want.set(9);
        assertEquals(want, d.writesets().get(0).marked());
        StringWriter w = new StringWriter();
        d.replay(new EraXmlWriter(w));
        String xml = w.toString();
        assertTrue(xml.contains("  <writeset era=\"6\" nr_bits=\"10\">\n    <bit block=\"0\" value=\"false\"/>\n"), xml);
        assertTrue(xml.contains("    <bit block=\"4\" value=\"true\"/>\n    <bit block=\"5\" value=\"false\"/>\n"), xml);
        assertEquals(d, EraXmlParser.parse(xml), "both forms describe the same metadata");
    }

    @Test
    void refusesWhatEraRestoreCouldNotRestore() {
        for (String bad : List.of(
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\"/>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"x\"/>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"4294967296\"/>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"1\"><bit block=\"0\" value=\"true\"/></superblock>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"1\"><writeset era=\"1\" nr_bits=\"2\">"
                        + "<bit block=\"2\" value=\"true\"/></writeset></superblock>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"1\"><writeset era=\"1\" nr_bits=\"2\">"
                        + "<bit block=\"1\" value=\"yes\"/></writeset></superblock>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"1\"><frobnicate/></superblock>",
                "<superblock uuid=\"\" block_size=\"1\" nr_blocks=\"2\" current_era=\"1\">",
                "<blocks/>",
                "",
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><superblock uuid=\"&e;\" block_size=\"1\" "
                        + "nr_blocks=\"1\" current_era=\"1\"/>")) {
            BadInputException e = assertThrows(BadInputException.class, () -> EraXmlParser.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("era XML"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void invalidateXmlInBothSpellings() {
        List<long[]> runs = InvalidateXml.parse("<blocks>\n  <range begin=\"0\" end = \"4\"/>\n  <block block=\"7\"/>\n"
                + "  <range begin=\"9\" end=\"11\"/>\n</blocks>\n");
        assertEquals(3, runs.size());
        assertArrayEquals(new long[] {0, 4}, runs.get(0));
        assertArrayEquals(new long[] {7, 8}, runs.get(1));
        assertArrayEquals(new long[] {9, 11}, runs.get(2));
        StringWriter w = new StringWriter();
        InvalidateXml.RunWriter rw = new InvalidateXml.RunWriter(w);
        rw.run(0, 2);
        rw.run(2, 4);
        rw.run(7, 8);
        rw.finish();
        assertEquals("<blocks>\n  <range begin=\"0\" end = \"4\"/>\n  <block block=\"7\"/>\n</blocks>\n", w.toString());
    }
}
