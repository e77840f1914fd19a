package org.eratestbed.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's decisions are made on whichever thread holds the token (the loop's, or an actor's at its
 * yield point or end); these pin down that this changes nothing a caller can see.
 */
class DeterministicSchedulerHandOffTest {
    /** Each step of each actor, in the order they ran, under a policy given as a list of picks. */
    private static List<String> interleaving(DeterministicScheduler s) {
        List<String> ran = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            s.spawn(name, () -> {
                for (int i = 0; i < 3; i++) {
                    ran.add(name + i);
                    s.yieldPoint(name + " step " + i);
                }
            });
        }
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, s.runToQuiescence());
        return ran;
    }

    @Test
    void actorToActorHandOffsFollowTheChoicesExactly() {
        for (long seed = 0; seed < 20; seed++) {
            DeterministicScheduler first = new DeterministicScheduler(new RandomPolicy(seed));
            List<String> ran = interleaving(first);
            DeterministicScheduler again = new DeterministicScheduler(new ReplayPolicy(first.choices(),
                    (step, options) -> { throw new AssertionError("the replay needs more choices at step " + step); }));
            assertEquals(ran, interleaving(again), "seed " + seed);
            assertEquals(first.trace(), again.trace(), "seed " + seed);
        }
    }

    @Test
    void aPolicyFailureMadeOnAnActorsThreadIsThrownByTheLoop() {
        ChoicePolicy failsLater = (step, options) -> {
            if (step == 2) {
                throw new IllegalStateException("policy gave up at step 2");
            }
            return 0;
        };
        DeterministicScheduler s = new DeterministicScheduler(failsLater);
        s.spawn("a", () -> {
            s.yieldPoint("one");
            s.yieldPoint("two");
        });
        // Step 2 is decided at actor a's yield point "one": the loop's caller must see the failure, not a.
        IllegalStateException e = assertThrows(IllegalStateException.class, s::runToQuiescence);
        assertEquals("policy gave up at step 2", e.getMessage());
        s.crash();
    }

    @Test
    void aPooledThreadCarriesTheActorsNameWhileItRuns() {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(1));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String n = "worker" + i;
            s.call(n, () -> names.add(Thread.currentThread().getName()));
        }
        assertEquals(List.of("det-worker0", "det-worker1", "det-worker2"), names);
    }

    @Test
    void anActorNeverPickedIsKilledByACrashWithoutRunning() {
        DeterministicScheduler s = new DeterministicScheduler(new RandomPolicy(1));
        boolean[] ran = {false};
        DeterministicScheduler.Actor never = s.start("never", () -> {
            ran[0] = true;
            return null;
        });
        s.crash();
        assertTrue(never.finished());
        assertEquals(false, ran[0]);
        assertEquals(DeterministicScheduler.Outcome.CRASHED, s.runToQuiescence());
    }
}
