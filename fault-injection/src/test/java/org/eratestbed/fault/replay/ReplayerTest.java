package org.eratestbed.fault.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.junit.jupiter.api.Test;

class ReplayerTest {
    /** Answers from a table, to pin the replay's own bookkeeping: file names, ERROR and LATE lines. */
    static final class Scripted implements TargetUnderTest {
        final List<Late> pendingLate = new ArrayList<>();
        int blockedLine;

        @Override
        public void start(Command.Target target, byte[] metadataImage) {
        }

        @Override
        public Result create() {
            return new Result.Done(List.of());
        }

        @Override
        public Result remove() {
            return new Result.Done(List.of());
        }

        @Override
        public Result run(Command c) {
            String t = c.text();
            if (t.equals("suspend")) {
                return new Result.Done(List.of());
            }
            if (t.equals("status") && blockedLine == 0) {
                blockedLine = c.line();
                return new Result.Blocked();
            }
            if (t.equals("resume")) {
                pendingLate.add(new Late(blockedLine, "status", new Result.Done(List.of("0 8 era 8 9/1024 2 -"))));
                return new Result.Done(List.of());
            }
            if (t.startsWith("invalidate")) {
                return new Result.Xml("<blocks>\n</blocks>\n");
            }
            if (t.equals("drop_metadata_snap")) {
                return new Result.Failed(List.of("Command failed."));
            }
            return new Result.Done(List.of("0 8 era 8 9/1024 1 -"));
        }

        @Override
        public List<Late> late() {
            List<Late> l = List.copyOf(pendingLate);
            pendingLate.clear();
            return l;
        }

        @Override
        public byte[] metadataImage() {
            return new byte[4096];
        }

        @Override
        public void close() {
        }
    }

    @Test
    void recordsErrorsBlockedAndLateLinesAndNumbersRepeatedFiles() {
        WorkloadScript s = WorkloadParser.parse("t", String.join("\n",
                "target block_size=8 origin_blocks=1 metadata_mib=4",
                "drop_metadata_snap",
                "suspend",
                "status",
                "invalidate 1",
                "invalidate 1",
                "invalidate_snap 1",
                "resume"));
        Replayer.Outcome o = Replayer.replay(s, new Scripted(), null);
        assertEquals(List.of(
                "ERROR: drop_metadata_snap: Command failed.",
                "ERROR: status: blocked",
                "LATE(line 4 status, returned during line 8): 0 8 era 8 9/1024 2 -"), o.status());
        assertEquals(List.of("invalidate-1.xml", "invalidate-1.2.xml", "invalidate_snap-1.xml"),
                List.copyOf(o.files().keySet()));
    }
}
