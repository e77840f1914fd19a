package org.eratestbed.stress.jcstress;

import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.stress.rig.MetadataRig;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * M7's two sides on real metadata: one thread archives era 1 (metadata_era_archive: flush the bitset, insert
 * it into the writeset tree — a new tree root — then set archived_writesets); another runs kick_off_digest's
 * test of the flag and then reads the writeset tree root, as metadata_digest_lookup_writeset does next.
 */
final class ArchivedWritesetsScenario {
    private final MetadataRig rig;
    private long seenRoot;
    private boolean seenFlag;

    ArchivedWritesetsScenario(Variant variant) {
        rig = new MetadataRig(variant);
        rig.markAndCommit(2);
    }

    void archive() {
        rig.md().eraArchive();
    }

    void digestSide() {
        EraMetadata md = rig.md();
        seenFlag = md.archivedWritesets();
        seenRoot = md.writesetTreeRoot();
    }

    /** r1 = 1 when the reader saw the flag set; r2 = 1 when the root it read is the tree holding era 1. */
    void judge(II_Result r) {
        r.r1 = seenFlag ? 1 : 0;
        r.r2 = seenRoot == rig.md().writesetTreeRoot() ? 1 : 0;
    }
}
