package org.eratestbed.model.era.tools.xml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * An era_dump document held in memory, element for element: the superblock attributes, the writesets in
 * document order with their marked bits, and the era array entries in document order. For tests and small
 * images; large images should stream through {@link EraXmlVisitor} instead.
 */
public final class EraDump {
    /** One {@code <writeset>}: its era, nr_bits and marked bits. */
    public record Writeset(long era, long nrBits, BitSet marked) {
        public Writeset {
            marked = (BitSet) marked.clone();
        }

        @Override
        public BitSet marked() {
            return (BitSet) marked.clone();
        }
    }

    private String uuid = "";
    private long blockSize;
    private long nrBlocks;
    private long currentEra;
    private boolean hasEraArray;
    private final List<Writeset> writesets = new ArrayList<>();
    private long[] eraBlocks = new long[16];
    private long[] eraValues = new long[16];
    private int nrEras;

    public EraDump(String uuid, long blockSize, long nrBlocks, long currentEra) {
        this.uuid = uuid;
        this.blockSize = blockSize;
        this.nrBlocks = nrBlocks;
        this.currentEra = currentEra;
    }

    private EraDump() {
    }

    public String uuid() {
        return uuid;
    }

    public long blockSize() {
        return blockSize;
    }

    public long nrBlocks() {
        return nrBlocks;
    }

    public long currentEra() {
        return currentEra;
    }

    public List<Writeset> writesets() {
        return List.copyOf(writesets);
    }

    public void addWriteset(long era, long nrBits, BitSet marked) {
        writesets.add(new Writeset(era, nrBits, marked));
    }

    /** Appends {@code <era block=.. era=../>}; the first call opens the era array. */
    public void addEra(long block, long era) {
        hasEraArray = true;
        if (nrEras == eraBlocks.length) {
            eraBlocks = Arrays.copyOf(eraBlocks, nrEras * 2);
            eraValues = Arrays.copyOf(eraValues, nrEras * 2);
        }
        eraBlocks[nrEras] = block;
        eraValues[nrEras++] = era;
    }

    public void setHasEraArray(boolean v) {
        hasEraArray = v;
    }

    public int nrEras() {
        return nrEras;
    }

    public long eraBlock(int i) {
        return eraBlocks[i];
    }

    public long eraValue(int i) {
        return eraValues[i];
    }

    /** Plays the document back as events (marked bits as maximal runs). */
    public void replay(EraXmlVisitor v) {
        v.superblockBegin(uuid, blockSize, nrBlocks, currentEra);
        for (Writeset ws : writesets) {
            v.writesetBegin(ws.era(), ws.nrBits());
            BitSet m = ws.marked;
            for (int b = m.nextSetBit(0); b >= 0; ) {
                int end = m.nextClearBit(b);
                v.writesetBlocks(b, end - b);
                b = m.nextSetBit(end);
            }
            v.writesetEnd();
        }
        if (hasEraArray) {
            v.eraArrayBegin();
            for (int i = 0; i < nrEras; i++) {
                v.era(eraBlocks[i], eraValues[i]);
            }
            v.eraArrayEnd();
        }
        v.superblockEnd();
    }

    /** A visitor that builds an EraDump from events (the parser's or the dumper's). */
    public static final class Collector implements EraXmlVisitor {
        private EraDump dump;
        private long wsEra;
        private long wsNrBits;
        private BitSet wsBits;

        public EraDump result() {
            return dump;
        }

        @Override
        public void superblockBegin(String uuid, long blockSize, long nrBlocks, long currentEra) {
            dump = new EraDump(uuid, blockSize, nrBlocks, currentEra);
        }

        @Override
        public void writesetBegin(long era, long nrBits) {
            wsEra = era;
            wsNrBits = nrBits;
            wsBits = new BitSet();
        }

        @Override
        public void writesetBlocks(long begin, long len) {
            wsBits.set((int) begin, (int) (begin + len));
        }

        @Override
        public void writesetEnd() {
            dump.addWriteset(wsEra, wsNrBits, wsBits);
        }

        @Override
        public void eraArrayBegin() {
            dump.hasEraArray = true;
        }

        @Override
        public void era(long block, long era) {
            dump.addEra(block, era);
        }

        @Override
        public void eraArrayEnd() {
        }

        @Override
        public void superblockEnd() {
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EraDump d)) {
            return false;
        }
        if (!uuid.equals(d.uuid) || blockSize != d.blockSize || nrBlocks != d.nrBlocks || currentEra != d.currentEra
                || hasEraArray != d.hasEraArray || nrEras != d.nrEras || writesets.size() != d.writesets.size()) {
            return false;
        }
        for (int i = 0; i < writesets.size(); i++) {
            Writeset a = writesets.get(i);
            Writeset b = d.writesets.get(i);
            if (a.era() != b.era() || a.nrBits() != b.nrBits() || !a.marked.equals(b.marked)) {
                return false;
            }
        }
        return Arrays.equals(eraBlocks, 0, nrEras, d.eraBlocks, 0, nrEras)
                && Arrays.equals(eraValues, 0, nrEras, d.eraValues, 0, nrEras);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uuid, blockSize, nrBlocks, currentEra, nrEras, writesets.size());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("EraDump[block_size=" + blockSize + " nr_blocks=" + nrBlocks
                + " current_era=" + currentEra + " writesets=");
        for (Writeset ws : writesets) {
            sb.append(ws.era()).append('/').append(ws.nrBits()).append(':').append(ws.marked.cardinality()).append(' ');
        }
        return sb.append("eras=").append(nrEras).append(']').toString();
    }
}
