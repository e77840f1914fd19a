package org.eratestbed.stress.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.stress.rig.MetadataRig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The RCU-like swap of the current writeset (swap_writeset: rcu_assign_pointer, then synchronize_rcu), on real
 * metadata. Before the race: era 2's writeset marks block 1; the spare writeset is era 1's, archived, and its
 * in-core bits still mark block 6 (writeset_init clears them only when it is reused). The worker checkpoints
 * (archive era 2, writeset_init the spare, swap, era 3) while era_map's lookup (metadata_current_marked) asks
 * about block 6, then block 1. r1 = block 6 marked, r2 = block 1 marked.
 *
 * <p>Can find: "1, *" (FORBIDDEN via the catch-all, fails the build) — era_map saw the spare before
 * writeset_init had cleared it: a half-built writeset, whose stale bit would let a write to block 6 skip
 * deferral and go unrecorded in era 3. Cannot find: a grace period that ends too early (synchronize_rcu
 * returning while a reader still holds the old set), which is a liveness-and-reuse question the two reads here
 * do not ask; the next-but-one rollover reusing a set a slow reader still holds is left to the deterministic
 * scheduler.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Era 2's writeset (before the swap): block 1 marked.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Era 3's fresh writeset (after the swap, or between the reads).")
@State
public class CurrentWritesetSwap {
    private static final int STALE_BLOCK = 6;
    private static final int CURRENT_BLOCK = 1;
    private final MetadataRig rig = new MetadataRig(Variant.UPSTREAM);

    public CurrentWritesetSwap() {
        rig.markAndCommit(STALE_BLOCK);
        rig.md().checkpoint();
        rig.md().commit();
        rig.markAndCommit(CURRENT_BLOCK);
    }

    @Actor
    public void worker() {
        rig.md().checkpoint();
    }

    @Actor
    public void map(II_Result r) {
        r.r1 = rig.md().currentMarked(STALE_BLOCK) ? 1 : 0;
        r.r2 = rig.md().currentMarked(CURRENT_BLOCK) ? 1 : 0;
    }
}
