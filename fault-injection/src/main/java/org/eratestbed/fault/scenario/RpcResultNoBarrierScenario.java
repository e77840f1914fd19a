package org.eratestbed.fault.scenario;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.target.Rpc;
import org.eratestbed.model.era.target.RpcQueue;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * M4: the RPC handshake must order the worker's store of {@code result} before the caller's load of it. The
 * stale read needs a weakly ordered memory (hardware, or the JIT); the deterministic scheduler hands control
 * over through semaphores and so always orders it. What the scenario shows is the missing edge itself.
 */
final class RpcResultNoBarrierScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M4_RPC_RESULT_NO_BARRIER;
    }

    @Override
    public String oracleText() {
        return "the caller's load of rpc->result happens-after the worker's store of it (a release/acquire edge"
                + " between complete() and the wait), so an RPC's error is never lost";
    }

    @Override
    public String howModelled() {
        return "Not reproducible as a failure under the deterministic scheduler, and not faked: (1) a failing RPC"
                + " (drop_metadata_snap with no snapshot) runs under the scheduler on both sides and returns -EINVAL"
                + " on both, because the scheduler's own hand-over orders everything; (2) the handshake the side's"
                + " RpcQueue builds is inspected: the reviewed one keeps 'complete' and 'result' in plain fields"
                + " (atomic_set/atomic_read order nothing), so the caller's fast path loads them with no"
                + " happens-before edge; the merged one publishes through a completion (CountDownLatch). The hardware"
                + " evidence of the stale read is the jcstress test"
                + " stress/src/main/java/org/eratestbed/stress/jcstress/RpcHandshakeUnbarriered.java.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M4_RPC_RESULT_NO_BARRIER);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(Machine.table(16));
            m.settle();
            ev.add("under the scheduler: " + m.message("drop_metadata_snap"));
        }
        RpcQueue q = new RpcQueue(side.predicate(), () -> false, () -> { });
        Rpc rpc = q.submit(() -> {
            throw new MetadataException(Errno.EINVAL, "no snap to drop");
        });
        q.process(() -> { });
        boolean ordered = false;
        List<String> fields = new ArrayList<>();
        for (Field f : rpc.getClass().getDeclaredFields()) {
            boolean vol = Modifier.isVolatile(f.getModifiers());
            boolean sync = f.getType().getPackageName().startsWith("java.util.concurrent");
            ordered |= vol || sync;
            fields.add(f.getType().getSimpleName() + " " + f.getName() + (vol ? " (volatile)" : sync
                    ? " (synchronizer: release/acquire)" : " (plain)"));
        }
        ev.add("handshake " + rpc.getClass().getSimpleName() + ": " + String.join(", ", fields));
        ev.add("caller's loads: isComplete() then result() = " + rpc.result() + ": "
                + (ordered ? "ordered after the worker's stores" : "NO happens-before edge on the fast path: the JMM"
                        + " (like a weakly ordered CPU) lets result() return the initial 0 while complete reads true"));
        return new SideRun(!ordered, "a failing RPC; the handshake's fields", ev, List.of());
    }
}
