package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/**
 * M7: shows that the review's concern cannot arise. archived_writesets is a plain bool, but besides the
 * constructor (before the worker's first run; queue_work orders the two) only the worker touches it.
 */
final class ArchivedWritesetsNoBarrierScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M7_ARCHIVED_WRITESETS_NO_BARRIER;
    }

    @Override
    public boolean observable() {
        return false;
    }

    @Override
    public String oracleText() {
        return "archived_writesets is only accessed by the worker and by the constructor before the worker first"
                + " runs, so no access needs a barrier (an access from any other context is a violation)";
    }

    @Override
    public String howModelled() {
        return "Cannot arise, shown rather than faked: create, remove, create (the ctr's open sets the flag), write, checkpoint, take and drop a metadata snapshot,"
                + " suspend, resume, status, remove, while the metadata object records the thread of every access to"
                + " archived_writesets. The reviewed path keeps a plain field, the fixed one a volatile; on both, the"
                + " only accessors are the constructor's thread (metadata_open, before queue_work hands over to the"
                + " worker, which orders the two) and the worker: the ordered workqueue serialises the rest.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M7_ARCHIVED_WRITESETS_NO_BARRIER);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.settle();
            m.remove();
            m.create(Machine.table(16)); // metadata_open in the ctr sets the flag
            var md = m.target().metadata();
            m.write(1);
            m.message("checkpoint");
            m.write(2);
            m.message("take_metadata_snap");
            m.message("drop_metadata_snap");
            m.suspend();
            m.resume();
            m.status();
            m.settle();
            List<String> who = md.archivedWritesetsAccessors();
            m.remove();
            List<String> others = who.stream().filter(t -> !t.equals("det-create") && !t.equals("det-dm-era")).toList();
            ev.add("threads that accessed archived_writesets: " + who);
            ev.add(others.isEmpty() ? "only the constructor (det-create) and the worker (det-dm-era): no unordered access"
                    : "accessed from other contexts: " + others);
            return new SideRun(!others.isEmpty(), "a full lifecycle with the accesses recorded", ev, List.of());
        }
    }
}
