package org.eratestbed.fault.replay;

import java.util.List;
import org.eratestbed.fault.workload.Command;

/**
 * A dm-era that a workload script can be replayed on: the model over simulated (or NBD) disks, or the real
 * kernel in a QEMU guest. Both give the same kinds of results, so one replay and one comparison serve both.
 */
public interface TargetUnderTest extends AutoCloseable {
    /** What one command gave. */
    sealed interface Result {
        /** It completed; {@code lines} is what goes into status.txt (a status line, or nothing). */
        record Done(List<String> lines) implements Result {
        }

        /** The kernel (or model) refused it: one or more lines, written as {@code ERROR: <command>: <line>}. */
        record Failed(List<String> lines) implements Result {
        }

        /** It did not return: it blocks (e.g. a status on a suspended target) and may return later. */
        record Blocked() implements Result {
        }

        /** {@code invalidate}: the era_invalidate XML read from the metadata device at that moment. */
        record Xml(String xml) implements Result {
        }
    }

    /** A command that had blocked and has now returned. */
    record Late(int line, String command, Result result) {
    }

    /** Sets up the devices for the script's table: zeroed, or the metadata device holding the given image. */
    void start(Command.Target target, byte[] metadataImage);

    /**
     * Like {@link #start(Command.Target, byte[])}, with an origin device of {@code originSectors} (at least the
     * table's length), so that a script's {@code reload} to a bigger table finds a device that holds it, as a real
     * origin grown before the reload would. A target that cannot size its origin refuses a bigger one.
     */
    default void start(Command.Target target, long originSectors, byte[] metadataImage) {
        if (originSectors > target.lengthSectors()) {
            throw new org.eratestbed.device.BadInputException(getClass().getSimpleName() + " cannot make an origin of "
                    + originSectors + " sectors for a script's reload; its origin is the first table's "
                    + target.lengthSectors() + " sectors");
        }
        start(target, metadataImage);
    }

    /** Creates the target with the script's table (dmsetup create: load and first resume). */
    Result create();

    /** Removes the target at the end of a script that did not crash (dmsetup remove). */
    Result remove();

    Result run(Command command);

    /** Commands that blocked earlier and have returned since the last call, oldest first. */
    List<Late> late();

    /** The metadata device's content as it is now on the medium (after the final remove, or a crash). */
    byte[] metadataImage();

    /**
     * Device faults for the disks the next {@link #start} builds (FaultPlan.NONE for none). A target that
     * cannot inject faults refuses a non-empty plan.
     */
    default void deviceFaults(org.eratestbed.device.fault.FaultPlan metadata, org.eratestbed.device.fault.FaultPlan origin) {
        if (!metadata.isEmpty() || !origin.isEmpty()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot inject device faults");
        }
    }

    @Override
    void close();
}
