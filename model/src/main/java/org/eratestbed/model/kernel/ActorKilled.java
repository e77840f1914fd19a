package org.eratestbed.model.kernel;

/**
 * Thrown inside an actor whose machine has crashed (or whose run was abandoned), at its next yield point or
 * wait, to unwind it. An Error, not an Exception, so that the model's own error handling (which mirrors the
 * kernel's errno paths) cannot swallow it: a crashed machine runs no more code at all.
 */
public final class ActorKilled extends Error {
    private static final long serialVersionUID = 1L;

    public ActorKilled(String actor) {
        super("actor " + actor + " stopped: the machine crashed", null, false, false);
    }
}
