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
        walk(source, writtenSince, metadataSnapshot, includeCurrent, (base, nr, lastEra) -> emit(lastEra, base, nr,
                writtenSince, out));
        out.finish();
    }

    /**
     * For every origin block, the latest era it may have been written in as far as eras from {@code minEra} on
     * go: {@code invalidate --written-since E} lists block b, for any {@code E >= minEra}, exactly when
     * {@code lastEras[b] >= E}. One pass answers every such E (a checker asking about several eras reads the
     * metadata once); values below {@code minEra} say only "not since minEra".
     */
    public static long[] lastEras(BlockSource source, long minEra, boolean metadataSnapshot, boolean includeCurrent) {
        long[][] out = {new long[0]};
        long[] size = {0};
        walk(source, minEra, metadataSnapshot, includeCurrent, (base, nr, lastEra) -> {
            int end = Math.toIntExact(base + nr);
            if (out[0].length < end) {
                out[0] = java.util.Arrays.copyOf(out[0], Math.max(end, 2 * out[0].length));
            }
            System.arraycopy(lastEra, 0, out[0], (int) base, nr);
            size[0] = end;
        });
        return java.util.Arrays.copyOf(out[0], (int) size[0]);
    }

    /** What {@link #walk} hands on per era-array block: {@code lastEra[i]} is origin block {@code base + i}'s. */
    private interface BlockEras {
        void block(long base, int nr, long[] lastEra);
    }

    /**
     * The algorithm, one era-array block at a time: each entry's era-array value, raised to the era of every
     * writeset from {@code minEra} on that has the block's bit.
     */
    private static void walk(BlockSource source, long minEra, boolean metadataSnapshot, boolean includeCurrent,
            BlockEras sink) {
        if (minEra < 0 || minEra > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("era " + minEra + " is not a 32-bit era");
        }
        MetadataReader reader = new MetadataReader(source);
        Superblock live = Superblock.read(reader, SUPERBLOCK_LOCATION);
        Superblock view = metadataSnapshot ? Superblock.readSnapshot(reader, live) : live;
        List<Writesets.Entry> since = new ArrayList<>();
        for (Writesets.Entry ws : Writesets.read(reader, view, includeCurrent && !metadataSnapshot)) {
            if (ws.era() >= minEra) {
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
        long[] lastEra = new long[max];
        // One pass over the era array in order (walked, so checked, as 0.9.0 reads it whole); each array
        // block's range of origin blocks takes the writesets' eras for that range, then is handed on.
        new ArrayWalker(reader, Writesets.strict(), null).walk(view.eraArrayRoot(), "era array", ERA_VALUE_SIZE,
                nrBlocks, (index, block, data, nr) -> {
                    long base = index * max;
                    for (int i = 0; i < nr; i++) {
                        lastEra[i] = Le.u32(data, AB_HEADER_SIZE + 4 * i);
                    }
                    for (int w = 0; w < bits.length; w++) {
                        long era = since.get(w).era();
                        long nrBits = Math.min(since.get(w).nrBits(), base + nr);
                        for (long word = base / BITS_PER_WORD; word * BITS_PER_WORD < nrBits; word++) {
                            long v = bits[w].u64(word);
                            while (v != 0) {
                                long b = word * BITS_PER_WORD + Long.numberOfTrailingZeros(v);
                                v &= v - 1;
                                if (b >= base && b < nrBits) {
                                    int i = (int) (b - base);
                                    lastEra[i] = Math.max(lastEra[i], era);
                                }
                            }
                        }
                    }
                    sink.block(base, nr, lastEra);
                });
    }

    private static void emit(long[] lastEra, long base, int nr, long writtenSince, InvalidateXml.RunWriter out) {
        int i = 0;
        while (i < nr) {
            if (lastEra[i] < writtenSince) {
                i++;
                continue;
            }
            int j = i;
            while (j < nr && lastEra[j] >= writtenSince) {
                j++;
            }
            out.run(base + i, base + j);
            i = j;
        }
    }
}
