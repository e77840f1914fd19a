package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * 25249333 (reference section 5, scenario 3): with at most 64 blocks, two archived writesets digested back to
 * back; before the fix the second was read through the first one's cached bitset word.
 */
final class DigestBitsetCacheScenario extends Scenario {
    static final long B0 = 0;
    static final long B1 = 1;

    @Override
    public Defect defect() {
        return Defect.DIGEST_BITSET_CACHE;
    }

    @Override
    public String oracleText() {
        return "a block written in era E is listed by invalidate --written-since E once its writeset is digested";
    }

    @Override
    public String howModelled() {
        return "16 blocks (one bitset word). Block " + B0 + " is written in era 1, checkpoint, block " + B1 + " in era 2;"
                + " the digest of era 1 starts with that write. The next checkpoint is scripted to run before the"
                + " worker's next digest step (the worker is held at each digest step while a user command can run),"
                + " so era 2 is archived while era 1 is still being digested and the same"
                + " digest moves on to era 2. Then the digest finishes, remove, era_invalidate.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.UPSTREAM, Defect.DIGEST_BITSET_CACHE);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        StepPolicy policy = new StepPolicy();
        try (Machine m = new Machine(side.predicate(), new Machine.Config().policy(policy))) {
            m.create(Machine.table(16));
            m.settle();
            long e1 = m.era();
            ev.add(m.write(B0) + " in era " + e1);
            m.message("checkpoint");
            long e2 = e1 + 1;
            // The worker is preempted at each digest step while a user command can run.
            policy.hold("actor:dm-era@worker: digest step");
            ev.add(m.write(B1) + " in era " + e2 + " (the digest of era " + e1 + " starts in this worker run)");
            Machine.Outcome cp = m.message("checkpoint");
            policy.release("actor:dm-era@worker: digest step");
            ev.add(cp + " before the digest's next step: writesets " + e1 + " and " + e2 + " are both archived");
            m.settle();
            Machine.Outcome rm = m.remove();
            byte[] image = m.metadataImage();
            TreeSet<Long> since2 = Machine.invalidate(image, e2, false);
            TreeSet<Long> since1 = Machine.invalidate(image, e1, false);
            ev.add(rm + "; invalidate --written-since " + e1 + " lists " + since1 + ", --written-since " + e2
                    + " lists " + since2);
            m.log.all().stream().filter(l -> l.contains("digest")).distinct().forEach(l -> ev.add("log: " + l));
            boolean lost = !since2.contains(B1) || !since1.contains(B0);
            if (lost) {
                ev.add("block " + B1 + " (written in era " + e2 + ") MISSING from --written-since " + e2);
            }
            return new SideRun(lost, "worker held at its digest steps while dd and checkpoint run",
                    ev, steps(m, "dd 1", "checkpoint", "dm-era"));
        }
    }
}
