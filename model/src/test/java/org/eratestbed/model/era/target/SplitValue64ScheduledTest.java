package org.eratestbed.model.era.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Test;

/** The scheduler-visible split form: a reader between the writer's two word stores sees a value never stored. */
class SplitValue64ScheduledTest {
    @Test
    void aReaderBetweenTheTwoStoresSeesATornValue() {
        // writer stores the low word and yields; the reader then runs to its end; then the writer finishes
        DeterministicScheduler s = new DeterministicScheduler(new ScriptedPolicy(List.of(
                "actor:writer@start", "actor:reader@start", "actor:reader@v: low half loaded")));
        SplitValue64 v = new SplitValue64(0xFFFF_FFFFL, s, "v");
        DeterministicScheduler.Actor writer = s.start("writer", () -> {
            v.set(0x1_0000_0000L);
            return null;
        });
        DeterministicScheduler.Actor reader = s.start("reader", v::get);
        s.runUntil(() -> writer.finished() && reader.finished());
        assertEquals(0L, reader.result(), "low word already 0, high word still 0");
        assertEquals(0x1_0000_0000L, v.get());
    }

    @Test
    void withoutAScheduledInterleavingTheValueIsWhole() {
        DeterministicScheduler s = new DeterministicScheduler(new ScriptedPolicy(List.of()));
        SplitValue64 v = new SplitValue64(0xFFFF_FFFFL, s, "v");
        DeterministicScheduler.Actor writer = s.start("writer", () -> {
            v.add(1);
            return v.get();
        });
        s.runUntil(writer::finished);
        assertEquals(0x1_0000_0000L, writer.result());
    }
}
