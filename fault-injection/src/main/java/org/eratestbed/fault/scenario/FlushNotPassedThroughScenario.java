package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.eratestbed.device.Bio;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** M14: an empty flush carries no data; era_map must pass it through, never defer it or mark a block. */
final class FlushNotPassedThroughScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M14_FLUSH_NOT_PASSED_THROUGH;
    }

    @Override
    public String oracleText() {
        return "an empty flush reaches the origin without a metadata commit and marks no block: nothing is listed"
                + " by invalidate --written-since E when only a flush was issued in era E";
    }

    @Override
    public String howModelled() {
        return "A fresh target (no block marked); one empty flush (REQ_PREFLUSH, sector 0); suspend (archives the"
                + " era); era_invalidate. The reviewed map did not test the flush flag, so the flush, a WRITE bio by"
                + " bio_data_dir, was deferred behind a commit that marked block 0.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M14_FLUSH_NOT_PASSED_THROUGH);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.settle();
            long era = m.era();
            Machine.Outcome f = m.run("sync", () -> {
                Bio flush = Bio.flush(null);
                m.dm.submit(flush);
                m.scheduler.await("flush", flush::completed);
                return null;
            });
            List<String> trace = steps(m, "sync", "dm-era");
            boolean deferred = trace.stream().anyMatch(t -> t.contains("writeset marked, before commit"));
            ev.add(f + " in era " + era + (deferred ? ": DEFERRED to the worker, which committed a mark first"
                    : ": passed straight to the origin"));
            ev.add(m.suspend().toString());
            TreeSet<Long> listed = Machine.invalidate(m.metadataImage(), era, false);
            ev.add("invalidate --written-since " + era + " lists " + listed
                    + (listed.isEmpty() ? "" : " — nothing was written there"));
            return new SideRun(deferred || !listed.isEmpty(), "one empty flush on a fresh target", ev, trace);
        }
    }
}
