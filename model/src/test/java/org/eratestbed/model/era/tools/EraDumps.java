package org.eratestbed.model.era.tools;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.eratestbed.model.era.tools.xml.EraDump;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;

/** Random era_dump documents and the folds the tools compute from them. */
final class EraDumps {
    private EraDumps() {
    }

    /**
     * Documents as 0.9.0's era_dump prints them: every bit of every writeset listed, the era array complete,
     * writesets in ascending era order, every era ≤ current_era, nr_bits ≤ nr_blocks. nr_blocks covers one
     * word (≤ 64), more than one era-array block (> 1018) and more than one bitset array block (> 32576).
     */
    static Arbitrary<EraDump> dumps() {
        return Arbitraries.randomValue(EraDumps::random);
    }

    static EraDump random(Random r) {
        int kind = r.nextInt(10);
        long nrBlocks = kind < 5 ? 1 + r.nextInt(64) : kind < 9 ? 1000 + r.nextInt(1100) : 32577 + r.nextInt(3000);
        long currentEra = r.nextInt(8) == 0 ? 0xFFFFFFFFL - r.nextInt(50) : r.nextInt(60);
        EraDump d = new EraDump("", 8L * (1 + r.nextInt(64)), nrBlocks, currentEra);
        int nrWs = (int) Math.min(r.nextInt(5), currentEra + 1);
        TreeSet<Long> eras = new TreeSet<>();
        while (eras.size() < nrWs) {
            eras.add(currentEra - r.nextInt((int) Math.min(currentEra + 1, 40)));
        }
        for (long era : eras) {
            long nrBits = r.nextInt(4) == 0 ? 1 + r.nextInt((int) nrBlocks) : nrBlocks;
            double density = new double[] {0, 0.01, 0.3, 1.0}[r.nextInt(4)];
            BitSet bits = new BitSet();
            for (int b = 0; b < nrBits; b++) {
                if (r.nextDouble() < density) {
                    bits.set(b);
                }
            }
            d.addWriteset(era, nrBits, bits);
        }
        boolean sparse = r.nextBoolean();
        for (long b = 0; b < nrBlocks; b++) {
            long era = sparse && r.nextInt(10) != 0 ? 0 : currentEra - r.nextInt((int) Math.min(currentEra + 1, 100));
            d.addEra(b, era);
        }
        d.setHasEraArray(true);
        return d;
    }

    static String xml(EraDump d) {
        StringWriter w = new StringWriter();
        d.replay(new EraXmlWriter(w));
        return w.toString();
    }

    /** {@code --logical} as the digest would leave the array: the newest writeset marking a block wins. */
    static long[] logicalByDigest(EraDump d) {
        long[] eras = eras(d);
        for (EraDump.Writeset ws : d.writesets()) {
            BitSet m = ws.marked();
            for (int b = m.nextSetBit(0); b >= 0 && b < eras.length; b = m.nextSetBit(b + 1)) {
                eras[b] = ws.era();
            }
        }
        return eras;
    }

    /**
     * {@code --logical} as 0.9.0 computes it: the oldest writeset that marks a block (std::map::insert keeps
     * the first), used only when it is newer than the era-array value.
     */
    static long[] logical090(EraDump d) {
        long[] eras = eras(d);
        long[] first = new long[eras.length];
        java.util.Arrays.fill(first, -1);
        for (EraDump.Writeset ws : d.writesets()) {
            BitSet m = ws.marked();
            for (int b = m.nextSetBit(0); b >= 0 && b < eras.length; b = m.nextSetBit(b + 1)) {
                if (first[b] < 0) {
                    first[b] = ws.era();
                }
            }
        }
        for (int b = 0; b < eras.length; b++) {
            if (first[b] > eras[b]) {
                eras[b] = first[b];
            }
        }
        return eras;
    }

    static long[] eras(EraDump d) {
        long[] eras = new long[d.nrEras()];
        for (int i = 0; i < d.nrEras(); i++) {
            eras[(int) d.eraBlock(i)] = d.eraValue(i);
        }
        return eras;
    }

    /** A few thresholds worth asking about: 0, each writeset era and its neighbours, current_era(+1). */
    static List<Long> thresholds(EraDump d, Random r) {
        TreeSet<Long> ns = new TreeSet<>();
        ns.add(0L);
        ns.add(d.currentEra());
        if (d.currentEra() < 0xFFFFFFFFL) {
            ns.add(d.currentEra() + 1);
        }
        for (EraDump.Writeset ws : d.writesets()) {
            ns.add(ws.era());
            if (ws.era() > 0) {
                ns.add(ws.era() - 1);
            }
        }
        if (d.nrEras() > 0) {
            ns.add(d.eraValue(r.nextInt(d.nrEras())));
        }
        List<Long> all = new ArrayList<>(ns);
        while (all.size() > 6) {
            all.remove(1 + r.nextInt(all.size() - 1));
        }
        return all;
    }
}
