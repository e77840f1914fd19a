package org.eratestbed.stress.lincheck;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.era.metadata.Writeset;
import org.eratestbed.stress.rig.MetadataRig;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * 2099b145 under lincheck's model checker, on the metadata with the worker's steps for one deferred write:
 * writeset_test_and_set, metadata_commit, then (fixed) set_bit on the in-core writeset — the model's own methods
 * in process_deferred_bios' order, called directly rather than through the target (whose worker
 * {@link InflightWriteModelCheckingTest} hosts on lincheck's threads): the window is inside one worker step, and
 * this keeps each interleaving to the metadata alone. Against it, era_map's lookup for a second write to the
 * same block: remapped at once if the block is marked, deferred otherwise.
 *
 * <p>Run one after the other, the two operations can only give "deferred" (the lookup first) or "remapped,
 * durable" (the worker first): a remapped write finds the mark on disk. The model checker must find, in the
 * pre-5.12 code, the interleaving where the lookup falls between the in-core test_and_set_bit and the commit —
 * "remapped, not durable", which no sequential order explains — and must not find it in upstream's. The printed
 * interleaving is kept in {@code target/lincheck/}.
 */
class IncoreBitModelCheckingTest {
    private static final int BLOCK = 5;

    public abstract static class Window {
        private final MetadataRig rig;
        private final long commitsBefore;
        private final boolean incoreFirst;
        private boolean processed;

        Window(Variant variant) {
            rig = new MetadataRig(variant);
            commitsBefore = rig.durableCommits();
            incoreFirst = variant.has(Defect.INCORE_BIT_BEFORE_COMMIT);
        }

        /** process_deferred_bios for the deferred first write to the block. */
        @Operation(nonParallelGroup = "worker")
        public void worker() {
            if (processed) {
                return;
            }
            processed = true;
            EraMetadata md = rig.md();
            Writeset ws = md.currentWriteset();
            boolean wasSet = incoreFirst ? md.writesetTestAndSetIncoreFirst(ws, BLOCK) : md.writesetTestAndSet(ws, BLOCK);
            if (!wasSet) {
                md.commit();
                if (!incoreFirst) {
                    ws.setIncore(md.bitIndex(BLOCK));
                }
            }
        }

        /** era_map for a second write to the block. */
        @Operation
        public String secondWrite() {
            if (!rig.md().currentMarked(BLOCK)) {
                return "deferred";
            }
            return rig.durableCommits() > commitsBefore ? "remapped, durable" : "remapped, not durable";
        }
    }

    public static class Pre512 extends Window {
        public Pre512() {
            super(Variant.PRE_5_12);
        }
    }

    public static class Upstream extends Window {
        public Upstream() {
            super(Variant.UPSTREAM);
        }
    }

    /**
     * Small explicit bounds. Two threads of one operation each make one scenario, so one iteration. The
     * persistent-data layers ({@code model.pdata}) run as one step per call (a commit was thousands of tracked
     * steps: 100 interleavings took ~20 s a test on a loaded 2-core machine): only the worker's side touches
     * them, and the window is between the era metadata's calls (in-core bit, on-disk bit, commit), which stay
     * interleavable; the lookup reads the in-core writeset (era metadata) and the probe's commit count, which
     * a commit changes at its superblock FLUSH.
     */
    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
                .iterations(1)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(1)
                .actorsBefore(0)
                .actorsAfter(0)
                // The metadata's loops run over block contents (a commit scans bitmap words): far more than
                // lincheck's default of 50 iterations, which it would take for a livelock.
                .loopBound(1_000_000)
                .addGuarantee(forClasses(c -> c.startsWith("org.eratestbed.model.pdata.")).allMethods().treatAsAtomic());
    }

    @Test
    void theWindowIsFoundInPre512() throws IOException {
        LincheckAssertionError e = assertThrows(LincheckAssertionError.class, () -> options().check(Pre512.class));
        Path dir = Path.of("target", "lincheck");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("2099b145-pre-5.12.txt"), e.getMessage(), StandardCharsets.UTF_8);
        assertTrue(e.getMessage().contains("remapped, not durable"), e::getMessage);
    }

    @Test
    void theWindowIsClosedInUpstream() {
        options().check(Upstream.class);
    }
}
