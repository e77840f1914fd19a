package org.eratestbed.model.era.tools.xml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Prints era_dump XML exactly as thin-provisioning-tools 0.9.0 does: two-space indentation, one
 * {@code <bit block=".." value="true|false"/>} for every bit {@code 0..nr_bits-1} of a writeset (the Rust
 * writer pads to the superblock's nr_blocks instead; the two agree whenever nr_bits == nr_blocks), and
 * {@code uuid=""} always (the kernel never writes a uuid).
 */
public final class EraXmlWriter implements EraXmlVisitor {
    private final Writer out;
    private long wsNrBits;
    private long wsEmitted;

    public EraXmlWriter(Writer out) {
        this.out = out;
    }

    private void line(String s) {
        try {
            out.write(s);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void superblockBegin(String uuid, long blockSize, long nrBlocks, long currentEra) {
        line("<superblock uuid=\"" + escape(uuid) + "\" block_size=\"" + blockSize + "\" nr_blocks=\"" + nrBlocks
                + "\" current_era=\"" + currentEra + "\">");
    }

    @Override
    public void writesetBegin(long era, long nrBits) {
        line("  <writeset era=\"" + era + "\" nr_bits=\"" + nrBits + "\">");
        wsNrBits = nrBits;
        wsEmitted = 0;
    }

    private void bits(long upTo, String value) {
        for (; wsEmitted < upTo; wsEmitted++) {
            line("    <bit block=\"" + wsEmitted + "\" value=\"" + value + "\"/>");
        }
    }

    @Override
    public void writesetBlocks(long begin, long len) {
        bits(Math.min(begin, wsNrBits), "false");
        bits(Math.min(begin + len, wsNrBits), "true");
    }

    @Override
    public void writesetEnd() {
        bits(wsNrBits, "false");
        line("  </writeset>");
    }

    @Override
    public void eraArrayBegin() {
        line("  <era_array>");
    }

    @Override
    public void era(long block, long era) {
        line("    <era block=\"" + block + "\" era=\"" + era + "\"/>");
    }

    @Override
    public void eraArrayEnd() {
        line("  </era_array>");
    }

    @Override
    public void superblockEnd() {
        line("</superblock>");
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }
}
