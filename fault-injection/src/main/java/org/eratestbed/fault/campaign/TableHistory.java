package org.eratestbed.fault.campaign;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.model.ModelTarget.TableLive;
import org.eratestbed.fault.workload.Command;

/**
 * What a run's reloads mean for the oracles. A reload loads an inactive table; it goes live at the next resume,
 * whose preresume resizes the metadata (metadata_resize: grown blocks hold era 0, blocks past the new end are
 * forgotten, their writeset bits with them). After a crash the user recreates the device with the last table
 * they loaded, live or not, so recovery's resume resizes once more. Hence:
 * <ul>
 * <li>recovery runs the last loaded table ({@link #recovery});</li>
 * <li>an acknowledged write is owed by {@code invalidate --written-since} only while every table that went live
 * after its acknowledgement, and recovery's, still holds its sectors: a shrink past it drops it for good, and a
 * later grow brings the block back as era 0, never written ({@link #owed});</li>
 * <li>the origin is checked by {@link LinearData} in the metadata's block size, so only while every table has
 * that size ({@link #linearData}). A table of another size is refused by the constructor (c8e846ff); where a
 * variant accepts it, the tracking oracle alone judges the run, in sectors.</li>
 * </ul>
 */
final class TableHistory {
    private TableHistory() {
    }

    /** The table a user recreates the device with after the crash. */
    static Command.Target recovery(RunExecutor.Outcome o) {
        return o.model().lastLoaded();
    }

    /** The metadata's block size: the script's target line formats it, and no table can change it. */
    private static long metadataBlockSize(RunExecutor.Outcome o) {
        return o.plan().script().target().blockSize();
    }

    /** True when every table that went live, and recovery's, has the metadata's block size. */
    static boolean sameBlockSize(RunExecutor.Outcome o) {
        long bs = metadataBlockSize(o);
        for (TableLive t : o.model().tablesLive()) {
            if (t.blockSize() != bs) {
                return false;
            }
        }
        return recovery(o).blockSize() == bs;
    }

    /** The linear-data oracle for this run, or one that claims nothing when a table changed the block size. */
    static LinearData linearData(RunExecutor.Outcome o, LinearData.Mode mode) {
        return sameBlockSize(o) ? new LinearData(o.io(), mode, metadataBlockSize(o)) : LinearData.NO_CLAIMS;
    }

    /**
     * The acknowledged writes that {@code invalidate --written-since} still owes after recovery, in order, each
     * as the metadata block(s) its sectors lie in (one per write unless a table of another block size was live).
     */
    static List<ModelTarget.WriteAck> owed(RunExecutor.Outcome o) {
        List<ModelTarget.WriteAck> acks = o.acks();
        List<TableLive> tables = o.model().tablesLive();
        long mdBs = metadataBlockSize(o);
        Command.Target rec = recovery(o);
        long recoverySectors = rec.originBlocks() * rec.blockSize();
        // The smallest table from ack i on, filled from the end: tables after ack i are those whose afterAcks > i.
        long[] minAfter = new long[acks.size()];
        int t = tables.size() - 1;
        long min = recoverySectors;
        for (int i = acks.size() - 1; i >= 0; i--) {
            while (t >= 0 && tables.get(t).afterAcks() > i) {
                min = Math.min(min, tables.get(t).nrBlocks() * tables.get(t).blockSize());
                t--;
            }
            minAfter[i] = min;
        }
        List<ModelTarget.WriteAck> out = new ArrayList<>(acks.size());
        int live = -1;
        for (int i = 0; i < acks.size(); i++) {
            while (live + 1 < tables.size() && tables.get(live + 1).afterAcks() <= i) {
                live++;
            }
            long bs = live < 0 ? mdBs : tables.get(live).blockSize();
            ModelTarget.WriteAck a = acks.get(i);
            long start = a.block() * bs;
            long end = start + bs;
            if (end > minAfter[i]) {
                continue; // a table that went live since, or recovery's, cut the write off
            }
            if (bs == mdBs) {
                out.add(a);
                continue;
            }
            for (long b = start / mdBs; b * mdBs < end; b++) {
                out.add(new ModelTarget.WriteAck(b, a.seq(), a.issueEra(), a.ackEra()));
            }
        }
        return out;
    }
}
