package org.eratestbed.fault.result;

import static org.eratestbed.fault.result.ResultLogTest.CAMPAIGN;
import static org.eratestbed.fault.result.ResultLogTest.run;
import static org.eratestbed.fault.result.ResultLogTest.violation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/** A campaign killed at any byte of its results and resumed ends with exactly the uninterrupted results. */
class ResultLogProperties {

    /** The campaign: run i has {@code findings[i]} violations; its records are a pure function of i. */
    private static void campaign(ResultLog log, boolean[] twoFindings) {
        for (int i = 0; i < twoFindings.length; i++) {
            if (log.isComplete(i)) {
                continue;
            }
            List<ViolationRecord> found = twoFindings[i] ? List.of(violation(i, i), withState(violation(i, i)))
                    : List.of();
            log.appendRun(found, run(i, i + 1));
        }
        if (log.done().isEmpty()) {
            log.append(new DoneRecord("1/1", twoFindings.length, 64L * twoFindings.length, 0, 99));
        }
    }

    private static ViolationRecord withState(ViolationRecord v) {
        return new ViolationRecord(v.shard(), v.run(), v.seed(), v.variant(), v.oracle(), v.defect(), v.message(),
                v.crashPoint(), "18 of 64", v.script(), v.schedule(), v.reproduce(), v.tMs());
    }

    @Property(tries = 50)
    void resumingAfterAKillAtAnyByteLosesAndRepeatsNothing(@ForAll @Size(min = 1, max = 8) boolean[] findings,
            @ForAll @DoubleRange(min = 0, max = 1) double killAt) throws IOException {
        Path tmp = Files.createTempDirectory("resultlog");
        try {
            Path whole = tmp.resolve("whole");
            try (ResultLog log = ResultLog.open(whole, CAMPAIGN)) {
                campaign(log, findings);
            }
            byte[] bytes = Files.readAllBytes(whole.resolve("results.jsonl"));
            Path killed = tmp.resolve("killed");
            ResultLog.open(killed, CAMPAIGN).close();
            Files.write(killed.resolve("results.jsonl"), Arrays.copyOf(bytes, (int) (killAt * bytes.length)));
            try (ResultLog log = ResultLog.open(killed, CAMPAIGN)) {
                campaign(log, findings);
            }
            assertEquals(Files.readAllLines(whole.resolve("results.jsonl")).stream().sorted().toList(),
                    Files.readAllLines(killed.resolve("results.jsonl")).stream().sorted().toList());
        } finally {
            try (Stream<Path> all = Files.walk(tmp)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
