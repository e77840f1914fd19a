package org.eratestbed.reports;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.result.CampaignInfo;
import org.eratestbed.fault.result.CrashKind;
import org.eratestbed.fault.result.DoneRecord;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.KnownRecord;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.fault.result.ResultLog;
import org.eratestbed.fault.result.RunRecord;
import org.eratestbed.fault.result.ViolationRecord;

/** Synthetic results folders, written through {@link ResultLog} as a campaign would. */
final class SampleResults {
    /** A script that must be shown as text, never act as markup. */
    static final String HOSTILE_SCRIPT = "target block_size=8 origin_blocks=64 metadata_mib=4\n"
            + "write 7 1   # <script>alert('x')</script> & more\ncheckpoint\ncrash\n";
    static final String DEFECT = "2099b145-incore-bit-before-commit";

    private SampleResults() {
    }

    /**
     * Writes {@code runs} runs of shard {@code shard} into {@code dir}: every 7th run (from run 3) finds a
     * tracking violation attributed to {@link #DEFECT}, every 11th (from run 5) a known in-flight issue (M1),
     * run 9 an unattributed metadata-consistency violation; {@code done} adds the done record.
     */
    static Path write(Path dir, String shard, long seed, int runs, boolean violations, boolean done) {
        CampaignInfo c = CampaignInfo.of(seed, "upstream", "60s", shard, Instant.parse("2026-11-26T17:00:00Z"),
                "0.1.0-SNAPSHOT");
        int nViolations = 0;
        long states = 0;
        try (ResultLog log = ResultLog.open(dir, c)) {
            for (int i = 0; i < runs; i++) {
                long t = 40L * i + 13 * (seed % 5);
                CrashKind kind = CrashKind.values()[i % CrashKind.values().length];
                List<Finding> found = new ArrayList<>();
                if (violations && i % 7 == 3) {
                    found.add(new ViolationRecord(shard, i, seed * 1000 + i, "upstream", OracleIds.TRACKING, DEFECT,
                            "block 7 written in era 3 is not in invalidate --written-since 3 (<b>lost</b> & gone)",
                            "step 120 at worker: writeset marked, before commit", "17 of 64", HOSTILE_SCRIPT,
                            List.of(0, 1, 1, 0, 2), "era-testbed campaign --seed " + seed + " --variant upstream "
                                    + "--replay-run " + i + " --state 17", t));
                }
                if (violations && i == 9) {
                    found.add(new ViolationRecord(shard, i, seed * 1000 + i, "upstream",
                            OracleIds.METADATA_CONSISTENCY, null, "check: bitset root 42 has ref count 2, want 1",
                            "step 88 at commit: superblock written", "3 of 8", "target block_size=8 origin_blocks=8"
                                    + " metadata_mib=4\nwrite 0 8\ncrash\n",
                            List.of(1, 0), "era-testbed campaign --seed " + seed + " --replay-run 9 --state 3", t));
                }
                if (i % 11 == 5) {
                    found.add(new KnownRecord(shard, i, seed * 1000 + i, "upstream", OracleIds.IN_FLIGHT,
                            "M1-in-flight-across-checkpoint", "block 3 completed after checkpoint to era 5, "
                                    + "reported only since era 4", "step 60 at map", "1 of 4",
                            "target block_size=8 origin_blocks=16 metadata_mib=4\nwrite 3 1\ncheckpoint\n",
                            List.of(0), "era-testbed reproduce M1", t));
                }
                nViolations += (int) found.stream().filter(f -> f instanceof ViolationRecord).count();
                int checked = 16 + (i * 37) % 48;
                states += checked;
                log.appendRun(found, new RunRecord(shard, i, seed * 1000 + i, "upstream", 100 + i,
                        kind == CrashKind.NONE ? "none" : "step " + (100 + i), kind,
                        BigInteger.TWO.pow(20 + i * 3), checked, 35, t + 30));
            }
            if (done) {
                log.append(new DoneRecord(shard, runs, states, nViolations, 40L * runs + 50));
            }
        }
        return dir;
    }
}
