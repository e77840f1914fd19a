package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import java.util.List;
import org.eratestbed.model.era.tools.disk.ArrayReader;
import org.eratestbed.model.era.tools.disk.ArrayWalker;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.era.tools.disk.MetadataReader;
import org.eratestbed.model.era.tools.disk.Superblock;
import org.eratestbed.model.era.tools.xml.EraXmlVisitor;

/**
 * era_dump: the metadata as era_dump XML events, streamed in document order (memory does not grow with
 * nr_blocks). Damage stops the dump with a MetadataException; what was emitted before stays emitted, as with
 * era_dump.
 *
 * <p>Differences from 0.9.0's era_dump, all on purpose: the superblock's current writeset is dumped when its
 * root is not 0 (as the Rust era_dump does; 0.9.0 ignores it, so a crash image's current era is invisible);
 * {@code --logical} gives each block the era of the newest writeset that marked it, which is what the digest
 * would write (0.9.0 keeps the oldest marking writeset's era, because its std::map insert never overwrites);
 * {@code --metadata-snapshot} dumps the clone's trees (0.9.0 has no such option for era_dump).
 */
public final class EraDumper {
    private EraDumper() {
    }

    public static void dump(BlockSource source, boolean logical, boolean metadataSnapshot, EraXmlVisitor out) {
        MetadataReader reader = new MetadataReader(source);
        Superblock live = Superblock.read(reader, SUPERBLOCK_LOCATION);
        Superblock view = metadataSnapshot ? Superblock.readSnapshot(reader, live) : live;
        // a clone's current writeset is stale (not held for it): only the live one is followed
        List<Writesets.Entry> writesets = Writesets.read(reader, view, !metadataSnapshot);
        out.superblockBegin("", view.dataBlockSize(), view.nrBlocks(), view.currentEra());
        if (logical) {
            dumpLogical(reader, view, writesets, out);
        } else {
            for (Writesets.Entry ws : writesets) {
                dumpWriteset(reader, ws, out);
            }
            out.eraArrayBegin();
            int max = arrayMaxEntries(ERA_VALUE_SIZE);
            new ArrayWalker(reader, Writesets.strict(), null).walk(view.eraArrayRoot(), "era array", ERA_VALUE_SIZE,
                    view.nrBlocks(), (index, block, data, nr) -> {
                        for (int i = 0; i < nr; i++) {
                            out.era(index * max + i, Le.u32(data, AB_HEADER_SIZE + 4 * i));
                        }
                    });
            out.eraArrayEnd();
        }
        out.superblockEnd();
    }

    private static void dumpWriteset(MetadataReader reader, Writesets.Entry ws, EraXmlVisitor out) {
        out.writesetBegin(ws.era(), ws.nrBits());
        long words = (ws.nrBits() + BITS_PER_WORD - 1) / BITS_PER_WORD;
        int max = arrayMaxEntries(BITSET_WORD_SIZE);
        long[] run = {-1, -1};
        new ArrayWalker(reader, Writesets.strict(), null).walk(ws.root(), "writeset era " + ws.era() + " bitset",
                BITSET_WORD_SIZE, words, (index, block, data, nr) -> {
                    for (int i = 0; i < nr; i++) {
                        long word = Le.u64(data, AB_HEADER_SIZE + 8 * i);
                        long base = (index * max + i) * BITS_PER_WORD;
                        while (word != 0) {
                            int bit = Long.numberOfTrailingZeros(word);
                            long b = base + bit;
                            if (b >= ws.nrBits()) {
                                break;
                            }
                            if (b == run[1]) {
                                run[1]++;
                            } else {
                                if (run[0] >= 0) {
                                    out.writesetBlocks(run[0], run[1] - run[0]);
                                }
                                run[0] = b;
                                run[1] = b + 1;
                            }
                            word &= word - 1;
                        }
                    }
                });
        if (run[0] >= 0) {
            out.writesetBlocks(run[0], run[1] - run[0]);
        }
        out.writesetEnd();
    }

    private static void dumpLogical(MetadataReader reader, Superblock view, List<Writesets.Entry> writesets,
            EraXmlVisitor out) {
        ArrayReader[] bits = new ArrayReader[writesets.size()];
        for (int w = 0; w < bits.length; w++) {
            Writesets.Entry ws = writesets.get(w);
            bits[w] = new ArrayReader(reader, ws.root(), "writeset era " + ws.era() + " bitset", BITSET_WORD_SIZE,
                    (ws.nrBits() + BITS_PER_WORD - 1) / BITS_PER_WORD);
        }
        out.eraArrayBegin();
        int max = arrayMaxEntries(ERA_VALUE_SIZE);
        new ArrayWalker(reader, Writesets.strict(), null).walk(view.eraArrayRoot(), "era array", ERA_VALUE_SIZE,
                view.nrBlocks(), (index, block, data, nr) -> {
                    for (int i = 0; i < nr; i++) {
                        long b = index * max + i;
                        long era = Le.u32(data, AB_HEADER_SIZE + 4 * i);
                        // oldest to newest: a newer writeset's mark overrides, as the digest's array writes do
                        for (int w = 0; w < bits.length; w++) {
                            if (b < writesets.get(w).nrBits() && (bits[w].u64(b >>> 6) >>> (b & 63) & 1) != 0) {
                                era = writesets.get(w).era();
                            }
                        }
                        out.era(b, era);
                    }
                });
        out.eraArrayEnd();
    }
}
