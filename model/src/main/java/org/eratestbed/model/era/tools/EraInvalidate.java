package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.tools.disk.ArrayReader;
import org.eratestbed.model.era.tools.disk.ArrayWalker;
import org.eratestbed.model.era.tools.disk.BlockSource;
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
        // The whole era array is walked (and so checked) first, as 0.9.0 reads it whole before printing.
        new ArrayWalker(reader, Writesets.strict(), null).walk(view.eraArrayRoot(), "era array", ERA_VALUE_SIZE,
                nrBlocks, (index, block, data, nr) -> { });
        ArrayReader eras = new ArrayReader(reader, view.eraArrayRoot(), "era array", ERA_VALUE_SIZE, nrBlocks);
        for (long word = 0; word * BITS_PER_WORD < nrBlocks; word++) {
            long first = word * BITS_PER_WORD;
            int n = (int) Math.min(BITS_PER_WORD, nrBlocks - first);
            long mask = 0;
            for (int w = 0; w < bits.length; w++) {
                long nrBits = since.get(w).nrBits();
                if (first < nrBits) {
                    long m = bits[w].u64(word);
                    if (nrBits - first < BITS_PER_WORD) {
                        m &= (1L << (nrBits - first)) - 1;
                    }
                    mask |= m;
                }
            }
            // skip the per-entry scan where neither array block touching this word holds an era >= N
            if (eras.maxU32InBlockOf(first) >= writtenSince || eras.maxU32InBlockOf(first + n - 1) >= writtenSince) {
                for (int i = 0; i < n; i++) {
                    if (eras.u32(first + i) >= writtenSince) {
                        mask |= 1L << i;
                    }
                }
            }
            if (n < BITS_PER_WORD) {
                mask &= (1L << n) - 1;
            }
            while (mask != 0) {
                int lo = Long.numberOfTrailingZeros(mask);
                int hi = Long.numberOfTrailingZeros(~(mask >>> lo)) + lo;
                if (hi > 64) {
                    hi = 64;
                }
                out.run(first + lo, first + hi);
                mask = hi >= 64 ? 0 : mask & (-1L << hi);
            }
        }
        out.finish();
    }
}
