package org.eratestbed.model.kernel;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that carry {@link DeterministicScheduler}'s actors, reused from one actor to the next. A campaign
 * checks thousands of crash states, each with a target created and removed again (a constructor, a worker and a
 * remove actor): starting a new thread for each cost more than the recovery it ran. An idle thread is kept for
 * a while and then ends; a thread runs one actor at a time, under the actor's name ({@code det-<name>}), so
 * thread dumps and the scenarios that name the threads touching a structure read as before.
 */
final class ActorThreads {
    private static final String IDLE = "det-idle";

    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, IDLE);
                t.setDaemon(true);
                return t;
            });

    private ActorThreads() {
    }

    /** Runs {@code body} on a free thread named {@code name} while it runs. */
    static void run(String name, Runnable body) {
        POOL.execute(() -> {
            Thread self = Thread.currentThread();
            self.setName(name);
            try {
                body.run();
            } finally {
                self.setName(IDLE);
            }
        });
    }
}
