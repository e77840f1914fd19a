package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.fault.replay.Replayer;
import org.eratestbed.fault.workload.WorkloadParser;
import org.eratestbed.fault.workload.WorkloadScript;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.kernel.ScriptedPolicy;

/**
 * testbed-load-while-active, found by a campaign with generated reloads and then seen on the real kernel: a
 * table is loaded while the device is active, the live table goes on writing and checkpointing, and the
 * resume swaps in the new table. Its preresume resizes and commits from what the ctr read, so the marks the
 * old table committed after the load are gone. The script is the kernel run's (era 1 writes block 1, the
 * load, then blocks 3 and 5 in eras 2 and 3, the swap, block 7 after it).
 */
final class LoadWhileActiveScenario extends UpstreamUnfixedScenario {
    static final WorkloadScript SCRIPT = WorkloadParser.parse("load-while-active", String.join("\n",
            "target block_size=8 origin_blocks=64 metadata_mib=4",
            "write 1 1", "checkpoint", "reload origin_blocks=64", "write 3 1", "checkpoint", "write 5 1",
            "status", "suspend", "resume", "status", "write 7 1", "remove", "invalidate 0", "invalidate 2"));
    /**
     * invalidate --written-since 2 must list the writes from era 2 on. (The script's invalidate 0 lists every
     * block on both sides, the era array starting at era 0, so only its --written-since 2 is the oracle.)
     */
    static final Set<Long> SINCE_2 = Set.of(3L, 5L, 7L);
    private static final Pattern BLOCK = Pattern.compile("<block block=\"(\\d+)\"/>");
    private static final Pattern RANGE = Pattern.compile("<range begin=\"(\\d+)\"\\s*end\\s*=\\s*\"(\\d+)\"/>");

    @Override
    public Defect defect() {
        return Defect.LOAD_WHILE_ACTIVE;
    }

    @Override
    public String oracleText() {
        return "every write acknowledged in era E is listed by invalidate --written-since E, across a table"
                + " loaded while the device is active";
    }

    @Override
    public String howModelled() {
        return "Replay the kernel run's script on the model: write block 1, checkpoint, load a new table while"
                + " the device is active, write blocks 3 and 5 around a checkpoint (the live table commits them),"
                + " suspend and resume to swap tables, write block 7, remove; invalidate --written-since 2 must"
                + " list " + new TreeSet<>(SINCE_2) + ". The status lines show the era too: the stale table"
                + " rolls over from the era it read at load time, so it reuses an era the old table used.";
    }

    @Override
    SideRun run(Side side) {
        Replayer.Outcome o;
        try (ModelTarget target = new ModelTarget(side.predicate(), new ScriptedPolicy(List.of()),
                SimDisk.Completion.IMMEDIATE)) {
            o = Replayer.replay(SCRIPT, target, null);
        }
        List<String> ev = new ArrayList<>();
        ev.add("status.txt: " + String.join(" | ", o.status()));
        boolean violated = compare(ev, "invalidate 2", o.files().get("invalidate-2.xml"), SINCE_2);
        return new SideRun(violated, violated ? "blocks written by the old table after the load, then the swap"
                : "the load, writes and checkpoints on the old table, the swap", ev, List.of());
    }

    /** Adds what {@code command} listed to the evidence; true when an expected block is missing. */
    private static boolean compare(List<String> ev, String command, String xml, Set<Long> expected) {
        if (xml == null) {
            ev.add(command + ": no output");
            return true;
        }
        Set<Long> listed = listed(xml);
        Set<Long> missing = new TreeSet<>(expected);
        missing.removeAll(listed);
        ev.add(command + " lists " + listed + (missing.isEmpty() ? "" : " — MISSING " + missing
                + " (written and acknowledged before the swap)"));
        return !missing.isEmpty();
    }

    /** The blocks an era_invalidate XML lists (single blocks and half-open ranges). */
    static Set<Long> listed(String xml) {
        Set<Long> blocks = new TreeSet<>();
        Matcher b = BLOCK.matcher(xml);
        while (b.find()) {
            blocks.add(Long.parseLong(b.group(1)));
        }
        Matcher r = RANGE.matcher(xml);
        while (r.find()) {
            for (long i = Long.parseLong(r.group(1)); i < Long.parseLong(r.group(2)); i++) {
                blocks.add(i);
            }
        }
        return blocks;
    }
}
