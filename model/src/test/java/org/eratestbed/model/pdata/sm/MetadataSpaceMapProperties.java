package org.eratestbed.model.pdata.sm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of new/inc/dec/shadow/commit/reopen against a reference model of counts
 * ({@link SpaceMapModel} checks everything after every step).
 */
class MetadataSpaceMapProperties {
    /** Counts above 2 go to the ref-count btree: up to 6 exercises insert, in-place updates and remove. */
    static final int MAX_COUNT = 6;

    private static void run(SpaceMapModel m, List<Integer> script) {
        for (int x : script) {
            int op = x % 100;
            int arg = x / 100;
            try {
                if (op < 30) {
                    m.newBlock();
                } else if (op < 45) {
                    m.inc(arg);
                } else if (op < 65) {
                    m.dec(arg);
                } else if (op < 70) {
                    m.incRange(arg);
                } else if (op < 85) {
                    m.shadow(arg);
                } else if (op < 96) {
                    m.commit();
                } else {
                    m.commit();
                    m.reopen();
                }
            } catch (MetadataException e) {
                fullDevice(m, e);
                return;
            }
            m.checkCounts();
        }
        try {
            m.commit();
        } catch (MetadataException e) {
            // the closing commit can run out too: it shadows the space map's own blocks
            fullDevice(m, e);
            return;
        }
        m.reopen();
        m.checkCounts();
    }

    /** A full device ends the run: the kernel would fail the transaction here too. */
    private static void fullDevice(SpaceMapModel m, MetadataException e) {
        assertTrue(e.errno() == Errno.ENOSPC, () -> "unexpected " + e);
        assertTrue(m.tm.spaceMap().getNrFree() <= 3, "ENOSPC with " + m.tm.spaceMap().getNrFree() + " free");
    }

    @Property(tries = 60)
    void smallDeviceMatchesTheReferenceModel(
            @ForAll @Size(max = 150) List<@IntRange(min = 0, max = 1_000_000) Integer> script,
            @ForAll @IntRange(min = 16, max = 96) int blocks) {
        run(new SpaceMapModel(blocks, MAX_COUNT), script);
    }

    @Property(tries = 25)
    void largerDeviceMatchesTheReferenceModel(
            @ForAll @Size(min = 50, max = 250) List<@IntRange(min = 0, max = 1_000_000) Integer> script) {
        run(new SpaceMapModel(512, MAX_COUNT), script);
    }
}
