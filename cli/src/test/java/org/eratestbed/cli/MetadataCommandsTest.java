package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * check, dump and invalidate on the command line: exit 0 / 1 / 2, one line per problem on stdout, one line
 * on stderr for bad input, never a stack trace. The image is era_restore 0.9.0's output for small-70.xml.
 */
class MetadataCommandsTest {
    @TempDir
    static Path dir;
    static Path good;

    @BeforeAll
    static void copyImage() throws IOException {
        good = dir.resolve("small-70.img");
        try (InputStream in = MetadataCommandsTest.class.getResourceAsStream("/era/small-70.img")) {
            Files.copy(in, good);
        }
    }

    static EraTestbedTest.Run run(String... args) {
        return EraTestbedTest.run(args);
    }

    static void assertOneCleanErrorLine(EraTestbedTest.Run r) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    static Path corrupt(String name, int offset) throws IOException {
        byte[] img = Files.readAllBytes(good);
        img[offset] ^= 0x10;
        Path p = dir.resolve(name);
        Files.write(p, img);
        return p;
    }

    @Test
    void checkOfAGoodImageExitsZeroWithOneOkLine() {
        EraTestbedTest.Run r = run("check", good.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("era metadata OK: nr_blocks 70, current era 5, 2 writesets, metadata 11/256 blocks in use",
                r.out().strip());
        assertEquals("", run("check", "-q", good.toString()).out());
    }

    @Test
    void checkOfADamagedImageExitsOneWithALinePerProblem() throws IOException {
        // block 1 holds a btree node or the space map: any flipped bit there is damage
        EraTestbedTest.Run r = run("check", corrupt("bad1.img", 4096 + 200).toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertFalse(r.out().isBlank());
        r.out().lines().forEach(l -> assertTrue(l.startsWith("block ") || l.startsWith("blocks "), l));
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("block 1:")), r.out());
    }

    @Test
    void missingFilesAndNonEraFilesAreOneLineExitTwo() throws IOException {
        for (String cmd : new String[] {"check", "dump"}) {
            assertOneCleanErrorLine(run(cmd, dir.resolve("nope.img").toString()));
        }
        assertOneCleanErrorLine(run("invalidate", "--written-since", "1", dir.resolve("nope.img").toString()));
        Path xml = dir.resolve("x.xml");
        Files.writeString(xml, "<superblock uuid=\"\" block_size=\"128\" nr_blocks=\"1\" current_era=\"1\">\n".repeat(100));
        EraTestbedTest.Run r = run("check", xml.toString());
        assertOneCleanErrorLine(r);
        assertTrue(r.err().contains("not era metadata") && r.err().contains("XML"), r.err());
        Path empty = dir.resolve("empty.img");
        Files.write(empty, new byte[0]);
        assertOneCleanErrorLine(run("check", empty.toString()));
        assertOneCleanErrorLine(run("dump", empty.toString()));
        Path zeros = dir.resolve("zeros.img");
        Files.write(zeros, new byte[8192]);
        assertOneCleanErrorLine(run("check", zeros.toString()));
        assertOneCleanErrorLine(run("dump", zeros.toString()));
    }

    @Test
    void dumpPrintsEraDumpXml() throws IOException {
        EraTestbedTest.Run r = run("dump", good.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("<superblock uuid=\"\" block_size=\"128\" nr_blocks=\"70\" current_era=\"5\">\n"
                + "  <writeset era=\"2\" nr_bits=\"70\">\n    <bit block=\"0\" value=\"true\"/>\n"), r.out());
        assertTrue(r.out().endsWith("    <era block=\"69\" era=\"0\"/>\n  </era_array>\n</superblock>\n"), r.out());
        EraTestbedTest.Run logical = run("dump", "--logical", good.toString());
        assertTrue(logical.out().contains("    <era block=\"3\" era=\"4\"/>\n") && !logical.out().contains("writeset"),
                logical.out());
        Path out = dir.resolve("out.xml");
        assertEquals(0, run("dump", "-o", out.toString(), good.toString()).code());
        assertEquals(r.out(), Files.readString(out));
        assertOneCleanErrorLine(run("dump", "--metadata-snapshot", good.toString()));
    }

    @Test
    void dumpOfADamagedImageIsOneLineExitTwo() throws IOException {
        EraTestbedTest.Run r = run("dump", corrupt("bad0.img", 100).toString());
        assertOneCleanErrorLine(r);
        assertTrue(r.err().contains("block 0: superblock: checksum"), r.err());
    }

    @Test
    void invalidatePrintsEraInvalidateXml() {
        EraTestbedTest.Run r = run("invalidate", "--written-since", "3", good.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("<blocks>\n  <range begin=\"3\" end = \"6\"/>\n</blocks>\n", r.out());
        assertEquals("<blocks>\n  <block block=\"0\"/>\n  <range begin=\"3\" end = \"6\"/>\n</blocks>\n",
                run("invalidate", "--written-since", "2", good.toString()).out());
        assertOneCleanErrorLine(run("invalidate", good.toString()));
        assertOneCleanErrorLine(run("invalidate", "--written-since", "-1", good.toString()));
        assertOneCleanErrorLine(run("invalidate", "--written-since", "4294967296", good.toString()));
        EraTestbedTest.Run snap = run("invalidate", "--written-since", "1", "--metadata-snapshot", good.toString());
        assertOneCleanErrorLine(snap);
        assertTrue(snap.err().contains("no metadata snapshot"), snap.err());
    }
}
