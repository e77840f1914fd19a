package org.eratestbed.model.kernel;

/**
 * Something that produces events the deterministic scheduler may fire between actor steps: typically a
 * simulated disk whose submitted bios complete only when the scheduler decides. Firing runs on the
 * scheduler's own thread while every actor is parked.
 */
public interface EventSource {
    String name();

    int pendingEvents();

    String describeEvent(int index);

    void fireEvent(int index);
}
