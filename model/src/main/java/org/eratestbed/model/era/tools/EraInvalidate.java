package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.tools.disk.ArrayReader;
import org.eratestbed.model.era.tools.disk.ArrayWalker;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.era.tools.disk.MetadataReader;
import org.eratestbed.model.era.tools.disk.Superblock;
import org.eratestbed.model.era.tools.xml.InvalidateXml;

/**
 * era_invalidate --written-since N: the origin blocks whose last write may be in era N or later.
 *
 * <p>The algorithm is 0.9.0's: every block whose era-array value is ≥ N, united with every bit of every
 * writeset whose era is ≥ N. The Rust era_invalidate skips the era array when the oldest writeset's era is
 * ≤ N; that is equal on every state the kernel writes (digested eras are older than every archived one) but
 * can under-report on others, and an oracle must not under-report. Bits at or past nr_blocks are not blocks
 * and are left out (0.9.0 lists them; the Rust tool and the kernel's digest clamp to nr_blocks).
 *
 * <p>Like both tools it ignores the superblock's current writeset unless asked ({@code includeCurrent}): a
 * crash image's current era is then not listed until the kernel reopens and archives it. With
 * {@code metadataSnapshot} it reads the clone's trees (the Rust tool's behaviour); 0.9.0 only checks that a
 * snapshot is held and then reads the live superblock.
 */
public final class EraInvalidate {
    private EraInvalidate() {
    }

    /** Streams the listed blocks as ascending runs {@code [begin, end)} to {@code out}. */
    public static void invalidate(BlockSource source, long writtenSince, boolean metadataSnapshot, boolean includeCurrent,
            InvalidateXml.RunWriter out) {
        if (writtenSince < 0 || writtenSince > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("era " + writtenSince + " is not a 32-bit era");
        }
        MetadataReader reader = new MetadataReader(source);
        Superblock live = Superblock.read(reader, SUPERBLOCK_LOCATION);
        Superblock view = metadataSnapshot ? Superblock.readSnapshot(reader, live) : live;
        List<Writesets.Entry> since = new ArrayList<>();
        for (Writesets.Entry ws : Writesets.read(reader, view, includeCurrent && !metadataSnapshot)) {
            if (ws.era() >= writtenSince) {
                since.add(ws);
            }
        }
        ArrayReader[] bits = new ArrayReader[since.size()];
        for (int w = 0; w < bits.length; w++) {
            Writesets.Entry ws = since.get(w);
            bits[w] = new ArrayReader(reader, ws.root(), "writeset era " + ws.era() + " bitset", BITSET_WORD_SIZE,
                    (ws.nrBits() + BITS_PER_WORD - 1) / BITS_PER_WORD);
        }
        long nrBlocks = view.nrBlocks();
        int max = arrayMaxEntries(ERA_VALUE_SIZE);
        long[] marks = new long[(max + 63) / 64 + 1];
        long[] maxTag = new long[1024];
        long[] maxOf = new long[1024];
        java.util.Arrays.fill(maxTag, -1);
        // One pass over the era array in order (walked, so checked, as 0.9.0 reads it whole); each array
        // block's range of origin blocks takes the writesets' bits for that range, then is printed.
        new ArrayWalker(reader, Writesets.strict(), null).walk(view.eraArrayRoot(), "era array", ERA_VALUE_SIZE,
                nrBlocks, (index, block, data, nr) -> {
                    long base = index * max;
                    java.util.Arrays.fill(marks, 0);
                    int slot = (int) (block % maxTag.length);
                    if (maxTag[slot] != block) {
                        long top = 0;
                        for (int i = 0; i < nr; i++) {
                            top = Math.max(top, Le.u32(data, AB_HEADER_SIZE + 4 * i));
                        }
                        maxTag[slot] = nr == max ? block : -1;
                        maxOf[slot] = top;
                        if (top >= writtenSince) {
                            mark(marks, data, nr, writtenSince);
                        }
                    } else if (maxOf[slot] >= writtenSince) {
                        mark(marks, data, nr, writtenSince);
                    }
                    for (int w = 0; w < bits.length; w++) {
                        long nrBits = Math.min(since.get(w).nrBits(), base + nr);
                        for (long word = base / BITS_PER_WORD; word * BITS_PER_WORD < nrBits; word++) {
                            long v = bits[w].u64(word);
                            while (v != 0) {
                                long b = word * BITS_PER_WORD + Long.numberOfTrailingZeros(v);
                                v &= v - 1;
                                if (b >= base && b < nrBits) {
                                    marks[(int) ((b - base) >>> 6)] |= 1L << ((b - base) & 63);
                                }
                            }
                        }
                    }
                    emit(marks, base, nr, out);
                });
        out.finish();
    }

    private static void mark(long[] marks, byte[] data, int nr, long writtenSince) {
        for (int i = 0; i < nr; i++) {
            if (Le.u32(data, AB_HEADER_SIZE + 4 * i) >= writtenSince) {
                marks[i >>> 6] |= 1L << (i & 63);
            }
        }
    }

    private static void emit(long[] marks, long base, int nr, InvalidateXml.RunWriter out) {
        int i = 0;
        while (i < nr) {
            int w = i >>> 6;
            long rest = marks[w] >>> (i & 63);
            if (rest == 0) {
                i = (w + 1) << 6;
                continue;
            }
            i += Long.numberOfTrailingZeros(rest);
            if (i >= nr) {
                break;
            }
            int j = i;
            while (j < nr && (marks[j >>> 6] >>> (j & 63) & 1) != 0) {
                j++;
            }
            out.run(base + i, base + j);
            i = j;
        }
    }
}
