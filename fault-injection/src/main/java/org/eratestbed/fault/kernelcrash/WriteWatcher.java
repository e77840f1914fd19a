package org.eratestbed.fault.kernelcrash;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.eratestbed.fault.campaign.StatusLine;
import org.eratestbed.fault.replay.TargetUnderTest;
import org.eratestbed.fault.workload.Command;

/**
 * Wraps a target under test during a replay and notes what a crash check needs and no target reports
 * directly: every acknowledged write with its era (from the status lines around it), and the metadata log's
 * position after each command (the crash points). It sees only what the replay sees — results and status
 * lines — so it works the same for the kernel as for the model.
 */
public final class WriteWatcher implements TargetUnderTest {
    /** The end of the metadata log after a command returned, and the script line of that command (0: create). */
    public record Mark(int line, String command, long tick) {
    }

    private final TargetUnderTest inner;
    private final LongSupplier logEnd;
    private final List<AckedWrite> acks = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    /** Acks whose era is only a lower bound until the next status line says which era it is now. */
    private final List<Integer> waitingForStatus = new ArrayList<>();
    private long era;

    /** @param logEnd the metadata device's log end tick now (e.g. {@code () -> disk.log().endTick()}) */
    public WriteWatcher(TargetUnderTest inner, LongSupplier logEnd) {
        this.inner = inner;
        this.logEnd = logEnd;
    }

    public List<AckedWrite> acks() {
        return List.copyOf(acks);
    }

    public List<Mark> marks() {
        return List.copyOf(marks);
    }

    @Override
    public void start(Command.Target target, byte[] metadataImage) {
        acks.clear();
        marks.clear();
        waitingForStatus.clear();
        era = 0;
        inner.start(target, metadataImage);
    }

    /** As {@link #start(Command.Target, byte[])}, with the origin a script's reloads need (forwarded). */
    @Override
    public void start(Command.Target target, long originSectors, byte[] metadataImage) {
        acks.clear();
        marks.clear();
        waitingForStatus.clear();
        era = 0;
        inner.start(target, originSectors, metadataImage);
    }

    @Override
    public Result create() {
        return seen(0, "create", inner.create(), false);
    }

    @Override
    public Result remove() {
        return seen(0, "remove", inner.remove(), false);
    }

    @Override
    public Result run(Command command) {
        Result r = inner.run(command);
        if (command instanceof Command.Write w && r instanceof Result.Done) {
            acked(w.first(), w.count(), command.line());
        }
        return seen(command.line(), command.text(), r, false);
    }

    @Override
    public List<Late> late() {
        List<Late> late = inner.late();
        for (Late l : late) {
            if (l.command().startsWith("write ") && l.result() instanceof Result.Done) {
                String[] w = l.command().split(" ");
                acked(Long.parseLong(w[1]), Long.parseLong(w[2]), l.line());
            }
            seen(l.line(), l.command(), l.result(), true);
        }
        return late;
    }

    private void acked(long first, long count, int line) {
        long mark = logEnd.getAsLong();
        for (long b = first; b < first + count; b++) {
            waitingForStatus.add(acks.size());
            acks.add(new AckedWrite(b, era, false, line, mark));
        }
    }

    /**
     * A late status line was gathered at some moment while the command waited, so it bounds the era from below
     * like any other but cannot tell that no era began since the writes before it.
     */
    private Result seen(int line, String command, Result r, boolean late) {
        if (r instanceof Result.Done d) {
            for (String s : d.lines()) {
                long e = StatusLine.era(s);
                if (e < 0) {
                    continue;
                }
                if (!late) {
                    for (int i : waitingForStatus) {
                        AckedWrite a = acks.get(i);
                        acks.set(i, new AckedWrite(a.block(), a.era(), a.era() == e, a.line(), a.logMark()));
                    }
                    waitingForStatus.clear();
                }
                era = Math.max(era, e);
            }
        }
        marks.add(new Mark(line, command, logEnd.getAsLong()));
        return r;
    }

    @Override
    public void deviceFaults(org.eratestbed.device.fault.FaultPlan metadata, org.eratestbed.device.fault.FaultPlan origin) {
        inner.deviceFaults(metadata, origin);
    }

    @Override
    public byte[] metadataImage() {
        return inner.metadataImage();
    }

    @Override
    public void close() {
        inner.close();
    }
}
