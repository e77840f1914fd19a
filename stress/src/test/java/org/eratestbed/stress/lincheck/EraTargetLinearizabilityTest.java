package org.eratestbed.stress.lincheck;

import java.util.Arrays;

import org.eratestbed.device.IoStatus;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.stress.rig.TargetRig;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * The whole model target's user operations — write, checkpoint, take/drop metadata snapshot, status, a pause
 * (suspend then resume) — on real threads, checked by lincheck's stress mode for linearizability against
 * {@link Spec}, a sequential specification of what users rely on: the current era, whether a snapshot is
 * held, and per block the latest era it was written in. After each run the target is removed and every written
 * block must be listed by {@code era_invalidate --written-since} the era the specification recorded for it.
 *
 * <p>Can find: a status that reports an era or snapshot no sequential order explains (e.g. an era skipped or
 * repeated, a snapshot seen held after its drop returned), a snapshot message answered wrongly, a write lost
 * from "written since" the era in which it completed. Cannot find: anything the model checker would need to
 * steer (stress mode runs the target's own worker thread and takes whatever interleavings the machine gives;
 * {@link InflightWriteModelCheckingTest} steers one scenario, with the worker hosted); suspend and
 * resume are one operation, because a status or message on a suspended upstream target blocks until resume
 * (deadlock-2023), which lincheck would report as a hang rather than as a result.
 */
class EraTargetLinearizabilityTest {

    /** The sequential specification: what users rely on, nothing about how. */
    public static class Spec {
        private int era = 1;
        private boolean snapshot;
        private final int[] lastEra = new int[TargetRig.ORIGIN_BLOCKS];

        public String write(int block) {
            lastEra[block] = era;
            return "OK";
        }

        public String checkpoint() {
            era++;
            return "OK";
        }

        public String takeSnap() {
            if (snapshot) {
                return "EINVAL";
            }
            era++;
            snapshot = true;
            return "OK";
        }

        public String dropSnap() {
            if (!snapshot) {
                return "EINVAL";
            }
            snapshot = false;
            return "OK";
        }

        public String status() {
            return era + (snapshot ? " snap" : " -");
        }

        /** postsuspend archives the era, preresume starts a new one: every pause consumes an era. */
        public void pause() {
            era++;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.era == era && s.snapshot == snapshot && Arrays.equals(s.lastEra, lastEra);
        }

        @Override
        public int hashCode() {
            return era * 31 + Arrays.hashCode(lastEra) + (snapshot ? 1 : 0);
        }
    }

    /** The target under test; one per lincheck invocation. */
    @Param(name = "block", gen = IntGen.class, conf = "0:3")
    public abstract static class Target {
        /** A pause lasts well under a second; a refusal that outlasts this many retries is an answer. */
        private static final int RETRIES = 1_000_000;
        private final TargetRig rig;
        private final boolean[] written = new boolean[TargetRig.ORIGIN_BLOCKS];

        Target(Variant variant) {
            rig = new TargetRig(variant, 0, 0);
        }

        @Operation
        public String write(@Param(name = "block") int block) {
            IoStatus s = rig.write(block);
            synchronized (written) {
                written[block] = true;
            }
            return s == IoStatus.OK ? "OK" : s.toString();
        }

        @Operation
        public String checkpoint() {
            return message("checkpoint");
        }

        @Operation
        public String takeSnap() {
            return message("take_metadata_snap");
        }

        @Operation
        public String dropSnap() {
            return message("drop_metadata_snap");
        }

        @Operation
        public String status() {
            for (int tries = 0; ; tries++) {
                String[] f = rig.status().split(" ");
                // hardened refuses an RPC on a suspended target (-EBUSY, status "Error"): a user retries.
                if (f.length == 7 || tries == RETRIES) {
                    return f.length == 7 ? f[5] + (f[6].equals("-") ? " -" : " snap") : String.join(" ", f);
                }
                Thread.yield();
            }
        }

        @Operation(nonParallelGroup = "suspend")
        public void pause() {
            rig.pause();
        }

        /** dmsetup message; -EBUSY (hardened, while a pause has the target suspended) is retried, as a user would. */
        private String message(String text) {
            for (int tries = 0; ; tries++) {
                try {
                    rig.message(text);
                    return "OK";
                } catch (DmException e) {
                    if (e.errno() != Errno.EBUSY || tries == RETRIES) {
                        return e.errno().name();
                    }
                    Thread.yield();
                }
            }
        }

        /** After the run: remove the target; every block written must be listed since era 1. */
        @Validate
        public void everyWriteIsListed() {
            java.util.BitSet listed = rig.writtenSince(1);
            for (int b = 0; b < written.length; b++) {
                if (written[b] && !listed.get(b)) {
                    throw new AssertionError("block " + b + " was written but is not listed since era 1");
                }
            }
        }
    }

    public static class Upstream extends Target {
        public Upstream() {
            super(Variant.UPSTREAM);
        }
    }

    public static class Hardened extends Target {
        public Hardened() {
            super(Variant.HARDENED);
        }
    }

    /** Small explicit bounds: each invocation builds and removes a target (about a millisecond or two). */
    private static StressOptions options() {
        return new StressOptions()
                .iterations(5)
                .invocationsPerIteration(30)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(Spec.class);
    }

    @Test
    void upstreamIsLinearizable() {
        options().check(Upstream.class);
    }

    @Test
    void hardenedIsLinearizable() {
        options().check(Hardened.class);
    }
}
