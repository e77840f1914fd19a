package org.eratestbed.model.era.defect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.eratestbed.device.BadInputException;
import org.junit.jupiter.api.Test;

/** Pins which defects each variant runs; a change here must be justified against dm-era.md section 3. */
class VariantTest {
    /**
     * One row per defect, columns upstream, as-reviewed, pre-5.12, hardened ('x' = live). Written out in
     * full so that a changed membership shows up as a changed line in review.
     */
    private static final String[] TABLE = {
        "M1-inflight-write-across-checkpoint       x x x .",
        "M2-destroy-null-metadata                  . x . .",
        "M3-zero-block-size                        . x . .",
        "M4-rpc-result-no-barrier                  . x . .",
        "M5-sm-root-unaligned                      . x . .",
        "M6-era-32-64-bit-mix                      . x . .",
        "M7-archived-writesets-no-barrier          . x . .",
        "M8-fresh-metadata-leak                    . x . .",
        "M9-format-not-undone                      . x . .",
        "M10-all-zeroes-whole-block                . x . .",
        "M11-test-bit-signed-index                 . x . .",
        "M12-bitset-size-overflow                  . x . .",
        "M13-nr-free-torn-read                     . x . .",
        "M14-flush-not-passed-through              . x . .",
        "de89afc1-recover-committed-writeset       . x x .",
        "2099b145-incore-bit-before-commit         . x x .",
        "25249333-digest-bitset-cache              . x x .",
        "c8e846ff-block-size-change                . x x .",
        "904e6b26-bitset-leak                      . x x .",
        "64f2d15a-writeset-equal-size              . x x .",
        "cca2c6ae-resize-in-preresume              . x x .",
        "9ae6e8b1-postsuspend-commit-after-worker  . x x .",
        "deadlock-2023                             x x x .",
        "testbed-format-unordered-commit           x x x .",
        "testbed-commit-after-failed-write         x x x .",
        "testbed-load-while-active                 x x x .",
        "testbed-metadata-closed-before-worker     x x x .",
        "testbed-message-before-preresume          x x x .",
    };
    private static final Variant[] COLUMNS = {Variant.UPSTREAM, Variant.AS_REVIEWED, Variant.PRE_5_12, Variant.HARDENED};

    @Test
    void membershipMatchesTheTable() {
        List<String> actual = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (String row : TABLE) {
            String[] cells = row.trim().split("\\s+");
            Defect d = Defect.byId(cells[0]);
            StringBuilder a = new StringBuilder(d.id());
            for (Variant v : COLUMNS) {
                a.append(' ').append(v.has(d) ? 'x' : '.');
            }
            actual.add(a.toString());
            expected.add(String.join(" ", cells));
        }
        assertEquals(expected, actual);
        assertEquals(Defect.values().length, TABLE.length, "every defect has a row");
    }

    @Test
    void hardenedIsUpstreamWithoutWhatUpstreamNeverFixed() {
        assertTrue(Variant.HARDENED.defects().isEmpty());
        assertEquals(java.util.EnumSet.of(Defect.M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT, Defect.DEADLOCK_2023,
                Defect.FORMAT_UNORDERED_COMMIT, Defect.COMMIT_AFTER_FAILED_WRITE,
                Defect.LOAD_WHILE_ACTIVE, Defect.METADATA_CLOSED_BEFORE_WORKER, Defect.MESSAGE_BEFORE_PRERESUME),
                Variant.UPSTREAM.defects());
    }

    @Test
    void everyVariantLiveInUpstreamIsLiveInTheOlderCode() {
        for (Defect d : Variant.UPSTREAM.defects()) {
            assertTrue(Variant.PRE_5_12.has(d), d.id());
            assertTrue(Variant.AS_REVIEWED.has(d), d.id());
        }
        for (Defect d : Variant.PRE_5_12.defects()) {
            assertTrue(Variant.AS_REVIEWED.has(d), d.id());
        }
    }

    @Test
    void parsesTheCommandLineNames() {
        assertSame(Variant.UPSTREAM, Variant.parse("upstream"));
        assertSame(Variant.AS_REVIEWED, Variant.parse("as-reviewed"));
        assertSame(Variant.PRE_5_12, Variant.parse("pre-5.12"));
        assertSame(Variant.HARDENED, Variant.parse("hardened"));
    }

    @Test
    void unknownVariantListsTheValidOnes() {
        BadInputException e = assertThrows(BadInputException.class, () -> Variant.parse("pre-5.11"));
        assertEquals("unknown variant 'pre-5.11'; valid variants: upstream, as-reviewed, pre-5.12, hardened",
                e.getMessage());
    }
}
