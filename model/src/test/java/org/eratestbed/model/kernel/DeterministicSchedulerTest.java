package org.eratestbed.model.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeterministicSchedulerTest {
    /** A counter whose increment can be preempted between its load and its store. */
    static final class RacyCounter {
        int value;

        void increment(Scheduler s) {
            int v = value;
            s.yieldPoint("between load and store");
            value = v + 1;
        }
    }

    static int runRace(DeterministicScheduler s) {
        RacyCounter c = new RacyCounter();
        s.spawn("a", () -> c.increment(s));
        s.spawn("b", () -> c.increment(s));
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, s.runToQuiescence());
        return c.value;
    }

    @Test
    void someSeedFindsTheLostUpdateAndItsChoicesReplayIt() {
        int[] losing = null;
        for (long seed = 0; seed < 64 && losing == null; seed++) {
            DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(seed));
            if (runRace(s) == 1) {
                losing = s.choices();
            }
        }
        assertTrue(losing != null, "no seed of 64 interleaved the two increments");
        DeterministicScheduler again = new DeterministicScheduler(new ReplayPolicy(losing, (st, o) -> 0));
        assertEquals(1, runRace(again));
        assertArrayEquals(losing, again.choices());
    }

    @Test
    void sameSeedSameTrace() {
        for (long seed = 0; seed < 16; seed++) {
            DeterministicScheduler s1 = new DeterministicScheduler(new RandomPolicy(seed));
            DeterministicScheduler s2 = new DeterministicScheduler(new RandomPolicy(seed));
            assertEquals(runRace(s1), runRace(s2));
            assertEquals(s1.trace(), s2.trace());
        }
    }

    @Test
    void scriptedPolicyForcesAnInterleaving() {
        ScriptedPolicy script = new ScriptedPolicy(List.of("actor:a@start", "actor:b@start", "actor:a@", "actor:b@"));
        DeterministicScheduler s = new DeterministicScheduler(script);
        assertEquals(1, runRace(s));
        assertEquals(List.of(), script.remaining());
    }

    @Test
    void aWaitThatCannotEndIsReportedAsQuiescentNotAHang() {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(1));
        boolean[] flag = {false};
        DeterministicScheduler.Actor a = s.call("status", () -> {
            s.await("worker to resume", () -> flag[0]);
            return "done";
        });
        assertFalse(a.finished());
        assertTrue(a.waiting());
        assertEquals("worker to resume", a.at());
        flag[0] = true;
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, s.runToQuiescence());
        assertEquals("done", a.result());
    }

    @Test
    void crashUnwindsEveryActorAndRunsNothingMore() throws Exception {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(3));
        List<String> after = new ArrayList<>();
        s.spawn("w", () -> {
            s.yieldPoint("before");
            s.yieldPoint("middle");
            after.add("w reached the end");
        });
        s.spawn("never", () -> after.add("never ran"));
        s.runUntil(() -> s.steps() >= 1);
        s.crash();
        assertEquals(DeterministicScheduler.Outcome.CRASHED, s.runToQuiescence());
        assertTrue(s.liveActors().isEmpty(), s.liveActors().toString());
        assertTrue(after.isEmpty() || after.equals(List.of("never ran")), after.toString());
        assertFalse(after.contains("w reached the end"));
    }

    @Test
    void aFailingActorEndsTheRunWithItsException() {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(0));
        s.spawn("boom", () -> {
            throw new IllegalStateException("model bug");
        });
        assertEquals(DeterministicScheduler.Outcome.FAILED, s.runToQuiescence());
        assertInstanceOf(IllegalStateException.class, s.failure());
        assertEquals("boom", s.failedActor());
    }

    @Test
    void eventsFireOnlyWhenChosen() {
        List<String> fired = new ArrayList<>();
        EventSource disk = new EventSource() {
            int pending = 2;

            @Override
            public String name() {
                return "disk";
            }

            @Override
            public int pendingEvents() {
                return pending;
            }

            @Override
            public String describeEvent(int index) {
                return "complete#" + index;
            }

            @Override
            public void fireEvent(int index) {
                pending--;
                fired.add("complete#" + index);
            }
        };
        DeterministicScheduler s = new DeterministicScheduler(new ScriptedPolicy(List.of("complete#1")));
        s.addEventSource(disk);
        s.runUntil(() -> fired.size() == 1);
        assertEquals(List.of("complete#1"), fired);
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, s.runToQuiescence());
        assertEquals(2, fired.size());
    }

    @Test
    void stepBudgetStopsALivelock() {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(0)).maxSteps(100);
        s.spawn("spinner", () -> {
            while (true) {
                s.yieldPoint("spin");
            }
        });
        assertEquals(DeterministicScheduler.Outcome.STEP_LIMIT, s.runToQuiescence());
        s.crash();
    }
}
