package org.eratestbed.stress.jcstress;

import org.eratestbed.device.IoStatus;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.stress.rig.LandingProbe;
import org.eratestbed.stress.rig.Latency;
import org.eratestbed.stress.rig.TargetRig;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * 2099b145 on the whole target: two users write the same unmarked block 5 of a fresh target. The first write
 * is deferred; the worker marks the writeset and commits (each metadata FLUSH takes 50 µs, as a disk's would),
 * then issues it. The second writer starts 30 µs later, so it tends to reach era_map while that commit is in
 * progress. The probes note, when each write's data lands, whether the commit recording block 5's mark was
 * durable yet.
 */
final class SecondWriterScenario {
    static final int BLOCK = 5;
    private static final long METADATA_FLUSH_NANOS = 50_000;
    private static final long SECOND_WRITER_DELAY_NANOS = 30_000;

    private final TargetRig rig;
    private final long commitsBefore;
    private final IoStatus[] status = new IoStatus[2];

    SecondWriterScenario(Variant variant) {
        rig = new TargetRig(variant, 0, METADATA_FLUSH_NANOS);
        commitsBefore = rig.metadata().durableCommits();
        rig.startWatching();
    }

    void firstWriter() {
        status[0] = rig.write(BLOCK);
    }

    void secondWriter() {
        Latency.spin(SECOND_WRITER_DELAY_NANOS);
        status[1] = rig.write(BLOCK);
    }

    /** r1 = how many of the two writes landed before block 5's mark was durable; -1 if a write failed. */
    void judge(I_Result r) {
        try {
            var landings = rig.origin().landings();
            if (status[0] != IoStatus.OK || status[1] != IoStatus.OK || landings.size() != 2) {
                r.r1 = -1;
                return;
            }
            int early = 0;
            for (LandingProbe.Landing l : landings) {
                if (l.durableCommitsAtLanding() == commitsBefore) {
                    early++;
                }
            }
            r.r1 = early;
        } finally {
            rig.close();
        }
    }
}
