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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
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
 *
 * <p>Superseding: the file is append-only. A run's batch (its findings and run record) can be followed later
 * by another batch of the same run ({@link #supersedeRun}: a finding written as found, triaged by a later
 * session); the later batch stands, the earlier stays as history ({@link ResultFile#standing}). Counts and
 * {@link #findings()} are of what stands.
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
    private final TreeSet<Integer> completed = new TreeSet<>();
    private DoneRecord done;
    /** A batch superseded an earlier one since the last done record: a new done record may follow. */
    private boolean supersededSinceDone;
    private long lastTms;
    private boolean broken;
    /**
     * Per run, what its standing batch counts (a superseding batch replaces them), earlier sessions included:
     * the totals go into the done record.
     */
    private final Map<Integer, RunRecord> runsByRun = new HashMap<>();
    private final Map<Integer, Integer> violationsByRun = new HashMap<>();
    /** The standing findings, per run (a superseding batch replaces them). */
    private final Map<Integer, List<Finding>> findingsByRun = new TreeMap<>();

    private ResultLog(Path dir, CampaignInfo campaign, FileChannel lockChannel, FileLock lock, FileChannel channel,
            Recovery recovery, long lastTms) {
        this.dir = dir;
        this.campaign = campaign;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.channel = channel;
        this.recovery = recovery;
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
        Durable.removeStale(campaignFile);
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
        Durable.removeStale(results);
        Recovery recovery = new Recovery(0, 0, 0);
        List<ResultRecord> standing = new ArrayList<>();
        long lastTms = 0;
        boolean sawDone = false;
        boolean supersededSinceDone = false;
        if (Files.exists(results)) {
            ResultFile file = ResultFile.read(results);
            for (ResultFile.Line line : file.lines()) {
                if (!line.record().shard().equals(onDisk.shard())) {
                    throw new BadInputException(results + ":" + line.number() + ": a record of shard "
                            + line.record().shard() + " in the results of shard " + onDisk.shard());
                }
                lastTms = Math.max(lastTms, tMs(line.record()));
            }
            for (ResultFile.Line line : file.lines()) {
                // a session killed while it triaged a finished campaign's findings: its done record may follow
                supersededSinceDone = line.record() instanceof RunRecord ? sawDone : line.record() instanceof DoneRecord
                        ? false : supersededSinceDone;
                sawDone |= line.record() instanceof DoneRecord;
            }
            ResultFile.Standing st = ResultFile.standing(file.lines());
            st.kept().forEach(l -> standing.add(l.record()));
            recovery = new Recovery(file.lines().size() - st.orphans().size(), file.partialBytes(),
                    st.orphans().size());
            if (recovery.rewrote()) {
                // Superseded batches stay: the file is append-only history, minus what a kill cut short.
                StringBuilder text = new StringBuilder();
                for (ResultFile.Line line : file.lines()) {
                    if (!st.orphans().contains(line)) {
                        text.append(line.text()).append('\n');
                    }
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
        ResultLog log = new ResultLog(dir, onDisk, lockChannel, lock, channel, recovery, lastTms);
        log.count(standing);
        log.supersededSinceDone = supersededSinceDone;
        return log;
    }

    private static long tMs(ResultRecord r) {
        return r instanceof Finding f ? f.tMs() : r instanceof RunRecord run ? run.tMs() : 0;
    }

    /** The campaign a results folder holds ({@code campaign.json}); bad input if it holds none. */
    public static CampaignInfo campaignIn(Path dir) {
        Path file = dir.resolve(CAMPAIGN_FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": not a results folder (no " + CAMPAIGN_FILE + ")");
        }
        return readCampaign(file);
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

    /**
     * The last done record, if the shard's search ever finished: a campaign started again then runs nothing
     * new, it only triages what it wrote as found. Superseding batches may follow it, and a new done record.
     */
    public synchronized Optional<DoneRecord> done() {
        return Optional.ofNullable(done);
    }

    /**
     * Whether batches superseded earlier ones after the last done record, with no done record since (a
     * session that triaged was killed before it wrote its own): the next one should write it.
     */
    public synchronized boolean doneBehind() {
        return done != null && supersededSinceDone;
    }

    /** The largest {@code t_ms} on disk: a resumed campaign's clock goes on from here. */
    public synchronized long lastTms() {
        return lastTms;
    }

    /** The standing run record of run {@code run}, if it is complete. */
    public synchronized Optional<RunRecord> runRecord(int run) {
        return Optional.ofNullable(runsByRun.get(run));
    }

    /** The findings that stand (a superseded batch's are gone), in run order. */
    public synchronized List<Finding> findings() {
        return findingsByRun.values().stream().flatMap(List::stream).toList();
    }

    /** Appends a completed run: its findings first, then its run record; one write, one force. */
    public void appendRun(List<? extends Finding> findings, RunRecord run) {
        append(batch(findings, run), false);
    }

    /**
     * Appends a new batch for a run already complete, which supersedes its earlier one for every reader: a
     * finding written as found ({@link Finding#UNTRIAGED}) and triaged later. The file stays append-only;
     * allowed after the done record, and lets one more done record follow.
     */
    public void supersedeRun(List<? extends Finding> findings, RunRecord run) {
        append(batch(findings, run), true);
    }

    private static List<ResultRecord> batch(List<? extends Finding> findings, RunRecord run) {
        List<ResultRecord> batch = new ArrayList<>(findings);
        batch.add(run);
        return batch;
    }

    public void append(ResultRecord record) {
        append(List.of(record));
    }

    /**
     * Appends records in order as whole lines with one write and one force. Refuses (IllegalStateException)
     * a second run record for a run, a finding for a run already complete, anything after the done record but
     * a superseding batch ({@link #supersedeRun}) and, after one, a new done record, and a record of another
     * shard: each would make a resumed campaign's results wrong.
     */
    public void append(List<? extends ResultRecord> records) {
        append(records, false);
    }

    private synchronized void append(List<? extends ResultRecord> records, boolean supersede) {
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
            if (doneInBatch || done != null && !supersede && !(r instanceof DoneRecord && supersededSinceDone)) {
                throw new IllegalStateException("shard " + campaign.shard() + " is done; nothing may follow");
            }
            if (!r.shard().equals(campaign.shard())) {
                throw new IllegalArgumentException("record of shard " + r.shard() + " in the log of shard "
                        + campaign.shard());
            }
            if (supersede) {
                int run = r instanceof RunRecord rr ? rr.run() : r instanceof Finding f ? f.run() : -1;
                int first = records.get(0) instanceof Finding f ? f.run() : records.get(0) instanceof RunRecord rr
                        ? rr.run() : -1;
                if (run != first || !completed.contains(run) || (r instanceof RunRecord && !runsInBatch.add(run))) {
                    throw new IllegalStateException("a superseding batch is for one run already complete, not "
                            + r.type() + " of run " + run);
                }
            } else if (r instanceof Finding f && (completed.contains(f.run()) || runsInBatch.contains(f.run()))) {
                throw new IllegalStateException("finding for run " + f.run() + " after its run record");
            } else if (r instanceof RunRecord run && (completed.contains(run.run()) || !runsInBatch.add(run.run()))) {
                throw new IllegalStateException("run " + run.run() + " is already complete");
            }
            doneInBatch |= r instanceof DoneRecord;
            text.append(ResultJson.toLine(r)).append('\n');
        }
        if (supersede && (records.isEmpty() || !(records.get(records.size() - 1) instanceof RunRecord))) {
            throw new IllegalStateException("a superseding batch ends with its run record");
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
        count(records);
        if (supersede && done != null) {
            supersededSinceDone = true;
        }
    }

    /** Takes standing records in file order: a run record closes its batch and replaces the run's counts. */
    private void count(List<? extends ResultRecord> records) {
        Map<Integer, List<Finding>> pending = new HashMap<>();
        for (ResultRecord r : records) {
            if (r instanceof RunRecord run) {
                List<Finding> fs = pending.getOrDefault(run.run(), List.of());
                pending.remove(run.run());
                completed.add(run.run());
                lastTms = Math.max(lastTms, run.tMs());
                runsByRun.put(run.run(), run);
                violationsByRun.put(run.run(), (int) fs.stream().filter(ViolationRecord.class::isInstance).count());
                findingsByRun.put(run.run(), List.copyOf(fs));
            } else if (r instanceof Finding f) {
                lastTms = Math.max(lastTms, f.tMs());
                pending.computeIfAbsent(f.run(), k -> new ArrayList<>()).add(f);
            } else if (r instanceof DoneRecord d) {
                done = d;
                supersededSinceDone = false;
            }
        }
    }

    /** Crash states checked by every run in the log, from all sessions (each run's standing record once). */
    public synchronized long statesChecked() {
        return runsByRun.values().stream().mapToLong(RunRecord::statesChecked).sum();
    }

    /** Violation records that stand in the log, from all sessions. */
    public synchronized int violations() {
        return violationsByRun.values().stream().mapToInt(Integer::intValue).sum();
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
