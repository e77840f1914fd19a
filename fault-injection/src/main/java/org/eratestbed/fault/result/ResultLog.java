package org.eratestbed.fault.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eratestbed.device.BadInputException;

/**
 * Appends a campaign's records to {@code results.jsonl}, durably, so that a killed campaign can resume
 * without losing or repeating results.
 *
 * <p>Durability: each {@link #append} call is one {@code write} of whole lines followed by one
 * {@code FileChannel.force(false)}. The campaign appends a run's findings and its {@link RunRecord} as one
 * batch ({@link #appendRun}), so there is one force per run, and a run whose record is on disk has all its
 * findings on disk.
 *
 * <p>Resuming: {@link #open} reads what is there, drops an unterminated last line (a write cut short) and the
 * findings of runs that have no run record (their run was cut short and will be run again, writing them
 * again), rewriting the file atomically if it dropped anything. {@link #completedRuns()} then tells the
 * campaign which run indices to skip. One process at a time: a second {@code open} of the same folder fails.
 */
public final class ResultLog implements Closeable {
    public static final String CAMPAIGN_FILE = "campaign.json";
    public static final String RESULTS_FILE = ResultFile.NAME;
    static final String LOCK_FILE = "results.lock";

    /** What {@link #open} found and dropped. */
    public record Recovery(int records, long partialBytesDropped, int orphanFindingsDropped) {
        /** True if the file was rewritten without the dropped parts. */
        public boolean rewrote() {
            return partialBytesDropped > 0 || orphanFindingsDropped > 0;
        }
    }

    private final Path dir;
    private final CampaignInfo campaign;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel channel;
    private final Recovery recovery;
    private final TreeSet<Integer> completed;
    private DoneRecord done;
    private long lastTms;
    private boolean broken;
    /** Totals over every kept run and violation record, earlier sessions included, for the done record. */
    private long statesChecked;
    private int violations;

    private ResultLog(Path dir, CampaignInfo campaign, FileChannel lockChannel, FileLock lock, FileChannel channel,
            Recovery recovery, TreeSet<Integer> completed, DoneRecord done, long lastTms) {
        this.dir = dir;
        this.campaign = campaign;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.channel = channel;
        this.recovery = recovery;
        this.completed = completed;
        this.done = done;
        this.lastTms = lastTms;
    }

    /**
     * Opens (creating if needed) the results folder {@code dir} for {@code campaign}. If the folder already
     * holds a campaign, it must be the same one ({@link CampaignInfo#sameCampaign}): its records are kept and
     * its {@code campaign.json}, with the original start time, stays.
     */
    public static ResultLog open(Path dir, CampaignInfo campaign) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new BadInputException(dir + ": not a folder");
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot create the results folder: " + e.getMessage(), e);
        }
        FileChannel lockChannel = null;
        try {
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new BadInputException(dir + ": results folder in use by another campaign");
            }
            try {
                return openLocked(dir, campaign, lockChannel, lock);
            } catch (RuntimeException | IOException e) {
                lock.release();
                throw e;
            }
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw ResultFile.io(dir, "cannot open the results", e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static ResultLog openLocked(Path dir, CampaignInfo campaign, FileChannel lockChannel, FileLock lock)
            throws IOException {
        Path campaignFile = dir.resolve(CAMPAIGN_FILE);
        CampaignInfo onDisk = campaign;
        if (Files.exists(campaignFile)) {
            onDisk = readCampaign(campaignFile);
            if (!onDisk.sameCampaign(campaign)) {
                throw new BadInputException(dir + ": holds another campaign (" + onDisk.describe()
                        + "), not " + campaign.describe() + "; use another results folder");
            }
        } else {
            Durable.replace(campaignFile, ResultJson.campaignToJson(campaign).getBytes(StandardCharsets.UTF_8));
        }

        Path results = dir.resolve(RESULTS_FILE);
        TreeSet<Integer> completed = new TreeSet<>();
        DoneRecord done = null;
        long lastTms = 0;
        Recovery recovery = new Recovery(0, 0, 0);
        List<ResultRecord> keptRecords = new ArrayList<>();
        if (Files.exists(results)) {
            ResultFile file = ResultFile.read(results);
            for (ResultFile.Line line : file.lines()) {
                if (!line.record().shard().equals(onDisk.shard())) {
                    throw new BadInputException(results + ":" + line.number() + ": a record of shard "
                            + line.record().shard() + " in the results of shard " + onDisk.shard());
                }
                if (line.record() instanceof RunRecord run) {
                    completed.add(run.run());
                }
            }
            List<String> kept = new ArrayList<>();
            int orphans = 0;
            keptRecords.clear();
            for (ResultFile.Line line : file.lines()) {
                ResultRecord r = line.record();
                if (r instanceof Finding f && !completed.contains(f.run())) {
                    orphans++;
                    continue;
                }
                if (r instanceof Finding f) {
                    lastTms = Math.max(lastTms, f.tMs());
                } else if (r instanceof RunRecord run) {
                    lastTms = Math.max(lastTms, run.tMs());
                } else if (r instanceof DoneRecord d) {
                    done = d;
                }
                kept.add(line.text());
                keptRecords.add(r);
            }
            recovery = new Recovery(kept.size(), file.partialBytes(), orphans);
            if (recovery.rewrote()) {
                StringBuilder text = new StringBuilder();
                for (String line : kept) {
                    text.append(line).append('\n');
                }
                Durable.replace(results, text.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        boolean created = !Files.exists(results);
        FileChannel channel = FileChannel.open(results, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (created) {
            Durable.forceFolder(dir);
        }
        ResultLog log = new ResultLog(dir, onDisk, lockChannel, lock, channel, recovery, completed, done, lastTms);
        for (ResultRecord r : keptRecords) {
            log.count(r);
        }
        return log;
    }

    static CampaignInfo readCampaign(Path campaignFile) {
        try {
            return ResultJson.campaignFromJson(Files.readString(campaignFile, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new BadInputException(campaignFile + ":" + e.getLocation().getLineNr() + ": not a campaign: "
                    + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(campaignFile + ": not a campaign: " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(campaignFile + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Path folder() {
        return dir;
    }

    /** The campaign as recorded in the folder (a resumed campaign keeps its first start time). */
    public CampaignInfo campaign() {
        return campaign;
    }

    public Recovery recovery() {
        return recovery;
    }

    /** Run indices whose run record is on disk: a resumed campaign skips them. */
    public synchronized SortedSet<Integer> completedRuns() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(completed));
    }

    public synchronized boolean isComplete(int run) {
        return completed.contains(run);
    }

    /** The done record, if the shard already finished. */
    public synchronized Optional<DoneRecord> done() {
        return Optional.ofNullable(done);
    }

    /** The largest {@code t_ms} on disk: a resumed campaign's clock goes on from here. */
    public synchronized long lastTms() {
        return lastTms;
    }

    /** Appends a completed run: its findings first, then its run record; one write, one force. */
    public void appendRun(List<? extends Finding> findings, RunRecord run) {
        List<ResultRecord> batch = new ArrayList<>(findings);
        batch.add(run);
        append(batch);
    }

    public void append(ResultRecord record) {
        append(List.of(record));
    }

    /**
     * Appends records in order as whole lines with one write and one force. Refuses (IllegalStateException)
     * a second run record for a run, a finding for a run already complete, anything after the done record,
     * and a record of another shard: each would make a resumed campaign's results wrong.
     */
    public synchronized void append(List<? extends ResultRecord> records) {
        if (broken) {
            throw new IllegalStateException(dir + ": an earlier write failed; reopen to recover");
        }
        if (!channel.isOpen()) {
            throw new IllegalStateException(dir + ": result log closed");
        }
        Set<Integer> runsInBatch = new HashSet<>();
        boolean doneInBatch = false;
        StringBuilder text = new StringBuilder();
        for (ResultRecord r : records) {
            if (done != null || doneInBatch) {
                throw new IllegalStateException("shard " + campaign.shard() + " is done; nothing may follow");
            }
            if (!r.shard().equals(campaign.shard())) {
                throw new IllegalArgumentException("record of shard " + r.shard() + " in the log of shard "
                        + campaign.shard());
            }
            if (r instanceof Finding f && (completed.contains(f.run()) || runsInBatch.contains(f.run()))) {
                throw new IllegalStateException("finding for run " + f.run() + " after its run record");
            }
            if (r instanceof RunRecord run && (completed.contains(run.run()) || !runsInBatch.add(run.run()))) {
                throw new IllegalStateException("run " + run.run() + " is already complete");
            }
            doneInBatch |= r instanceof DoneRecord;
            text.append(ResultJson.toLine(r)).append('\n');
        }
        long sizeBefore = -1;
        try {
            sizeBefore = channel.size();
            Durable.writeFully(channel, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            // A torn line would glue onto the next record: cut it off, and refuse further appends anyway.
            broken = true;
            if (sizeBefore >= 0) {
                try {
                    channel.truncate(sizeBefore);
                } catch (IOException ignored) {
                    // The next open drops the unterminated line.
                }
            }
            throw ResultFile.io(dir.resolve(RESULTS_FILE), "cannot append", e);
        }
        for (ResultRecord r : records) {
            count(r);
        }
    }

    private void count(ResultRecord r) {
        if (r instanceof RunRecord run) {
            completed.add(run.run());
            lastTms = Math.max(lastTms, run.tMs());
            statesChecked += run.statesChecked();
        } else if (r instanceof Finding f) {
            lastTms = Math.max(lastTms, f.tMs());
            if (f instanceof ViolationRecord) {
                violations++;
            }
        } else if (r instanceof DoneRecord d) {
            done = d;
        }
    }

    /** Crash states checked by every run in the log, from all sessions. */
    public synchronized long statesChecked() {
        return statesChecked;
    }

    /** Violation records in the log, from all sessions. */
    public synchronized int violations() {
        return violations;
    }

    @Override
    public synchronized void close() {
        try {
            if (channel.isOpen()) {
                channel.force(false);
                channel.close();
            }
        } catch (IOException e) {
            throw ResultFile.io(dir.resolve(RESULTS_FILE), "cannot close", e);
        } finally {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } catch (IOException ignored) {
                // Closing the channel below releases the lock too.
            }
            closeQuietly(lockChannel);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Nothing was written through it.
            }
        }
    }
}
