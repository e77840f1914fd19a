package org.eratestbed.stress.rig;

import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.era.metadata.Writeset;
import org.eratestbed.model.kernel.ThreadScheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.block.IoWait;

/**
 * The era metadata object alone, formatted on a small {@link RamDisk}, for tests whose two sides are the worker's
 * metadata calls and era_map's reads — with no target around them, because a jcstress actor cannot be the
 * target's worker thread: the worker runs on a thread of its own, picks its work from queues, and its
 * steps (archive, new era) are not callable one by one from outside. The actor calls the very methods the
 * worker calls ({@link EraMetadata#eraArchive}, {@link EraMetadata#checkpoint}), in the worker's order.
 */
public final class MetadataRig {
    public static final int NR_BLOCKS = 8;
    private final EraMetadata md;
    private final CommitProbe probe;

    public MetadataRig(Variant variant) {
        ThreadScheduler scheduler = new ThreadScheduler();
        RamDisk disk = new RamDisk(256 * 8);
        probe = new CommitProbe(disk, 0);
        md = EraMetadata.open(probe, 8, true, variant::has, scheduler, IoWait.LATCH, new KernelLog(), new Vmalloc());
        // era_preresume's resize and first rollover (era 1, with an on-disk writeset).
        md.resize(NR_BLOCKS);
        md.eraRollover();
        md.commit();
    }

    public EraMetadata md() {
        return md;
    }

    /** Commits whose superblock is on the medium. */
    public long durableCommits() {
        return probe.durableCommits();
    }

    /** process_deferred_bios for one block: mark on disk, commit, then set the in-core bit (fixed order). */
    public void markAndCommit(int block) {
        Writeset ws = md.currentWriteset();
        if (!md.writesetTestAndSet(ws, block)) {
            md.commit();
            ws.setIncore(md.bitIndex(block));
        }
    }
}
