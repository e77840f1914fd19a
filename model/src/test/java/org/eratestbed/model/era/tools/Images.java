package org.eratestbed.model.era.tools;

import org.eratestbed.model.era.tools.thin.ThinTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import org.eratestbed.model.era.tools.xml.EraDump;

/** Base images restored once by era_restore (cached per JVM) for the corruption and fuzz tests. */
final class Images {
    private static byte[] medium;
    private static byte[] twoLevelEraArray;
    private static byte[] twoLevelWritesetTree;

    private Images() {
    }

    static EraDump mediumDump() {
        Random r = new Random(42);
        EraDump d = new EraDump("", 128, 2000, 9);
        for (long era : new long[] {4, 6, 8}) {
            BitSet bits = new BitSet();
            for (int b = 0; b < 2000; b++) {
                if (r.nextInt(5) == 0) {
                    bits.set(b);
                }
            }
            d.addWriteset(era, 2000, bits);
        }
        for (long b = 0; b < 2000; b++) {
            d.addEra(b, r.nextInt(4));
        }
        return d;
    }

    /** nr_blocks 2000, eras 4, 6, 8 archived, current era 9. */
    static synchronized byte[] medium() {
        if (medium == null) {
            medium = restore(EraDumps.xml(mediumDump()), 4);
        }
        return medium.clone();
    }

    /** nr_blocks 300000: 295 era-array blocks, so the array's index btree has an internal root. */
    static synchronized byte[] twoLevelEraArray() {
        if (twoLevelEraArray == null) {
            EraDump d = new EraDump("", 128, 300000, 3);
            for (long b = 0; b < 300000; b++) {
                d.addEra(b, b % 4);
            }
            twoLevelEraArray = restore(EraDumps.xml(d), 8);
        }
        return twoLevelEraArray.clone();
    }

    /** 250 archived writesets of 8 bits: the writeset tree has an internal root. */
    static synchronized byte[] twoLevelWritesetTree() {
        if (twoLevelWritesetTree == null) {
            EraDump d = new EraDump("", 128, 8, 300);
            for (int era = 50; era < 300; era++) {
                BitSet b = new BitSet();
                b.set(era % 8);
                d.addWriteset(era, 8, b);
            }
            for (long b = 0; b < 8; b++) {
                d.addEra(b, 10);
            }
            twoLevelWritesetTree = restore(EraDumps.xml(d), 4);
        }
        return twoLevelWritesetTree.clone();
    }

    private static byte[] restore(String xml, int mib) {
        return ThinTools.restore(xml, mib);
    }
}
