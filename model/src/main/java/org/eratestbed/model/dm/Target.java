package org.eratestbed.model.dm;

/**
 * One constructed target instance: the methods of {@code struct target_type} that act on it. A method
 * that fails as the kernel's would return an error throws {@link DmException}.
 */
public interface Target {
    MapResult map(DmBio bio);

    /** The target's end_io: called when a clone it remapped (or submitted itself) completes, before dm core ends it. */
    default void endIo(DmBio bio, org.eratestbed.device.IoStatus status) {
    }

    default void presuspend() {
    }

    default void postsuspend() {
    }

    default void preresume() {
    }

    default void resume() {
    }

    /** The status line for {@code type}, as DMEMIT would fill it. */
    String status(StatusType type);

    void message(String[] argv);

    /** The destructor. */
    void dtr();
}
