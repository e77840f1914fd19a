package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import static org.eratestbed.model.era.tools.disk.DiskFormat.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeTry;
import org.eratestbed.device.BadInputException;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;

/**
 * Random damage to valid images (bit flips, byte overwrites, nasty field values with the checksum made
 * valid again so the damage reaches the structure checks, truncation, block swaps and copies) fed to every
 * reader: each must end, in bounded time, with a result or a MetadataException / BadInputException, never
 * another exception, a hang or an OutOfMemoryError.
 */
class FuzzProperties {
    private static final long[] NASTY = {0, 1, 2, 3, 0xFF, 0xFFFF, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 1L << 32,
        -1L, Long.MAX_VALUE, 1018, 1019, 32576, 509, 252, 201, 336, 4161600};

    @BeforeTry
    void needTools() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    private static byte[][] bases;

    private static synchronized byte[][] bases() {
        if (bases == null) {
            ImageEdit snap = new ImageEdit(Images.medium());
            snap.takeSnapshot();
            snap.copyFirstWritesetAsCurrent();
            bases = new byte[][] {Images.medium(), Images.twoLevelWritesetTree(), snap.img};
            // only the blocks in use matter: cut the free tail to keep each try small
            for (int i = 0; i < bases.length; i++) {
                ImageEdit e = new ImageEdit(bases[i]);
                long last = 0;
                for (long b = 0; b < e.nrBlocks(); b++) {
                    if (e.type(b) != null) {
                        last = b;
                    }
                }
                // the space map still covers the whole file: keep the size, as a truncated one is its own case
                bases[i] = Arrays.copyOf(bases[i], (int) Math.min(bases[i].length, (last + 64) * BLOCK_SIZE));
            }
        }
        return bases;
    }

    @Property(tries = 150)
    void everyReaderEndsCleanlyOnAnyDamage(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int nrMutations) {
        Random r = new Random(seed);
        byte[][] all = bases();
        byte[] img = all[r.nextInt(all.length)].clone();
        ImageEdit e = new ImageEdit(img);
        List<Long> typed = new ArrayList<>();
        List<BlockType> types = new ArrayList<>();
        for (long b = 0; b < e.nrBlocks(); b++) {
            BlockType t = e.type(b);
            if (t != null) {
                typed.add(b);
                types.add(t);
            }
        }
        for (int m = 0; m < nrMutations; m++) {
            int which = r.nextInt(typed.size());
            long b = typed.get(which);
            BlockType t = types.get(which);
            int base = (int) (b * BLOCK_SIZE);
            if (base >= img.length) {
                continue;
            }
            switch (r.nextInt(6)) {
                case 0 -> img[base + r.nextInt(BLOCK_SIZE)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> {
                    int off = r.nextInt(BLOCK_SIZE - 16);
                    for (int i = 0; i < 1 + r.nextInt(16); i++) {
                        img[base + off + i] = (byte) r.nextInt(256);
                    }
                }
                case 2, 3 -> {
                    // a nasty value in a header or value field, then a valid checksum again
                    int off = 4 + r.nextInt(r.nextBoolean() ? 60 : BLOCK_SIZE - 12);
                    long v = NASTY[r.nextInt(NASTY.length)];
                    if (r.nextBoolean()) {
                        v = typed.get(r.nextInt(typed.size()));
                    }
                    if (r.nextBoolean()) {
                        e.put32(b, off, v);
                    } else {
                        e.put64(b, off, v);
                    }
                    e.fix(b, t);
                }
                case 4 -> {
                    long other = typed.get(r.nextInt(typed.size()));
                    byte[] x = e.block(b);
                    byte[] y = e.block(other);
                    e.put(b, y);
                    e.put(other, x);
                }
                default -> {
                    long to = typed.get(r.nextInt(typed.size()));
                    e.put(to, e.block(b));
                    if (r.nextBoolean()) {
                        e.fix(to, t);
                    }
                }
            }
        }
        byte[] input = r.nextInt(10) == 0 ? Arrays.copyOf(img, r.nextInt(img.length)) : img;
        long n = r.nextInt(12);
        ByteArrayBlockSource src = new ByteArrayBlockSource(input);
        clean(() -> EraCheck.check(src));
        clean(() -> EraDumper.dump(src, false, false, new EraXmlWriter(new Bounded())));
        clean(() -> EraDumper.dump(src, true, false, new EraXmlWriter(new Bounded())));
        clean(() -> EraDumper.dump(src, false, true, new EraXmlWriter(new Bounded())));
        clean(() -> EraInvalidate.invalidate(src, n, false, false, new InvalidateXml.RunWriter(new Bounded())));
        clean(() -> EraInvalidate.invalidate(src, n, true, true, new InvalidateXml.RunWriter(new Bounded())));
    }

    private static void clean(Runnable reader) {
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            try {
                reader.run();
            } catch (MetadataException | BadInputException expected) {
                // a clean error
            }
        });
    }

    /** Discards output, but no damaged image may make a reader print more than 64 MiB. */
    private static final class Bounded extends Writer {
        private long chars;

        @Override
        public void write(char[] cbuf, int off, int len) {
            chars += len;
            if (chars > 64L << 20) {
                throw new AssertionError("a reader printed more than 64 MiB for a small image");
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
