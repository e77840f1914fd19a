package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.dm.MappedDevice;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * 9ae6e8b1 (reference section 5, scenario 5): after postsuspend the instance must hold no uncommitted metadata,
 * or its teardown later writes stale blocks under a second instance that opened the committed metadata.
 */
final class PostsuspendCommitScenario extends Scenario {
    static final String DIGEST_STEP = "actor:dm-era@worker: digest step";

    @Override
    public Defect defect() {
        return Defect.POSTSUSPEND_COMMIT_AFTER_WORKER;
    }

    @Override
    public String oracleText() {
        return "once postsuspend returned, the instance has nothing uncommitted: its later teardown writes no metadata"
                + " block, and the metadata device passes check";
    }

    @Override
    public String howModelled() {
        return "era0 (instance A) writes block 0, checkpoint, writes block 1, so a digest is running; the worker is"
                + " held at each digest step while a user command can run, so dmsetup suspend arrives mid-digest."
                + " Postsuspend archives and commits through an RPC, then stops the worker: before the fix with"
                + " flush_workqueue and no final commit, so the digest step that still runs dirties blocks in A's"
                + " buffer cache. Then era1 (instance B) is created on the same devices (it reads the committed"
                + " metadata), writes blocks 2..5 and checkpoints (its commits allocate blocks A's stale transaction also used),"
                + " and era0 is removed: A's dm_block_manager_destroy writes its dirty"
                + " blocks to the metadata device.";
    }

    @Override
    Side buggySide() {
        return Side.of(Variant.PRE_5_12);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        StepPolicy policy = new StepPolicy();
        try (Machine m = new Machine(side.predicate(), new Machine.Config().policy(policy))) {
            m.create(Machine.table(16));
            m.settle();
            m.write(0);
            m.message("checkpoint");
            policy.hold(DIGEST_STEP);
            ev.add(m.write(1) + " (a digest of era 1 is running)");
            ev.add("era0 " + m.suspend() + " mid-digest");
            policy.release(DIGEST_STEP);
            m.settle();
            MappedDevice b = m.second();
            ev.add("era1 " + m.runVoid("create era1", () -> b.create(Machine.table(16))));
            for (long block = 2; block < 6; block++) {
                long blk = block;
                ev.add("era1 " + m.run("dd era1 " + blk, () -> {
                    byte[] data = new byte[4096];
                    org.eratestbed.device.Bio bio = org.eratestbed.device.Bio.write(blk * Machine.BLOCK_SECTORS, data,
                            false, null);
                    b.submit(bio);
                    m.scheduler.await("era1 write", bio::completed);
                    return null;
                }));
            }
            ev.add("era1 " + m.runVoid("checkpoint era1", () -> b.message("checkpoint")));
            m.settle();
            int mark = m.metadataIoMark();
            Machine.Outcome removed = m.remove();
            List<Long> written = m.metadataBlocksWrittenSince(mark);
            ev.add("era0 " + removed + "; metadata blocks written by A's teardown: " + written);
            List<String> problems = Machine.check(m.metadataImage());
            ev.add("check of the metadata device (era1's committed metadata): " + (problems.isEmpty() ? "no problem"
                    : String.join(" | ", problems.subList(0, Math.min(4, problems.size())))));
            return new SideRun(!written.isEmpty() || !problems.isEmpty(),
                    "suspend era0 with the digest mid-way; era1 on the same metadata; remove era0", ev,
                    steps(m, "suspend", "dm-era"));
        }
    }
}
