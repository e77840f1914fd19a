package org.eratestbed.model.dm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.model.kernel.DeterministicScheduler;
import org.eratestbed.model.kernel.EventSource;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.pdata.Errno;
import org.junit.jupiter.api.Test;

class MappedDeviceTest {
    /** A device whose bios complete only when the scheduler fires them, recording what it saw. */
    static final class QueueDevice implements BlockDevice, EventSource {
        final List<Bio> queue = new ArrayList<>();
        final List<String> seen = new ArrayList<>();

        @Override
        public String name() {
            return "disk";
        }

        @Override
        public long sizeSectors() {
            return 1 << 20;
        }

        @Override
        public void submit(Bio bio) {
            seen.add(bio.toString());
            queue.add(bio);
        }

        @Override
        public int pendingEvents() {
            return queue.size();
        }

        @Override
        public String describeEvent(int index) {
            return "complete " + queue.get(index);
        }

        @Override
        public void fireEvent(int index) {
            queue.remove(index).complete(IoStatus.OK);
        }
    }

    /** A linear-like target that can be told to block its status until released (like era's RPC). */
    static final class TestTarget implements Target {
        final Scheduler s;
        final BlockDevice dev;
        volatile boolean statusBlocks;
        final List<String> calls = new ArrayList<>();

        TestTarget(Scheduler s, BlockDevice dev) {
            this.s = s;
            this.dev = dev;
        }

        @Override
        public MapResult map(DmBio bio) {
            calls.add("map " + bio);
            bio.remap(dev);
            return MapResult.REMAPPED;
        }

        @Override
        public void postsuspend() {
            calls.add("postsuspend");
        }

        @Override
        public void preresume() {
            calls.add("preresume");
            statusBlocks = false;
        }

        @Override
        public String status(StatusType type) {
            s.await("test target status", () -> !statusBlocks);
            return "ok";
        }

        @Override
        public void message(String[] argv) {
            throw new DmException(Errno.EINVAL, "no messages");
        }

        @Override
        public void dtr() {
            calls.add("dtr");
        }
    }

    final DeterministicScheduler sched = new DeterministicScheduler(new ScriptedPolicy(List.of()));  // actors first, events when nothing else can run
    final QueueDevice disk = new QueueDevice();
    final List<TestTarget> built = new ArrayList<>();
    final MappedDevice md;

    MappedDeviceTest() {
        sched.addEventSource(disk);
        DeviceRegistry reg = new DeviceRegistry();
        reg.add("/dev/disk", "7:0", disk);
        TargetType type = new TargetType() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public Target ctr(DmTarget ti, String[] argv) {
                if (argv.length != 1) {
                    throw new DmException(Errno.EINVAL, "Invalid argument count");
                }
                ti.setMaxIoLen(8);
                TestTarget t = new TestTarget(sched, ti.getDevice(argv[0]).device());
                built.add(t);
                return t;
            }
        };
        md = new MappedDevice("test0", "253:0", sched, reg, new KernelLog(), Map.of("test", type));
    }

    @Test
    void biosAreSplitAtMaxIoLenAndCompleteWhenEveryPieceHas() {
        sched.call("create", () -> {
            md.create("0 64 test /dev/disk");
            return null;
        });
        Bio[] bio = new Bio[1];
        sched.call("write", () -> {
            bio[0] = Bio.write(4, new byte[16 * 512], false, null);
            md.submit(bio[0]);
            return null;
        });
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, sched.runToQuiescence());
        assertEquals(List.of("WRITE 4+4", "WRITE 8+8", "WRITE 16+4"), disk.seen);
        assertEquals(IoStatus.OK, bio[0].status());
        assertEquals(0, md.pending());
    }

    @Test
    void suspendWaitsForInFlightIoAndHoldsNewIoUntilResume() {
        sched.call("create", () -> {
            md.create("0 64 test /dev/disk");
            return null;
        });
        DeterministicScheduler.Actor w = sched.call("write", () -> {
            md.submit(Bio.write(0, new byte[4096], false, null));
            return null;
        });
        assertTrue(w.done());
        assertEquals(1, md.pending());
        DeterministicScheduler.Actor suspend = sched.start("suspend", () -> {
            md.suspend();
            return null;
        });
        // Until the disk completes the write, suspend cannot reach postsuspend.
        sched.runUntil(() -> suspend.waiting());
        assertFalse(built.get(0).calls.contains("postsuspend"));
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, sched.runToQuiescence());
        assertTrue(suspend.done());
        assertTrue(built.get(0).calls.contains("postsuspend"));
        Bio held = Bio.write(8, new byte[4096], false, null);
        sched.call("write while suspended", () -> {
            md.submit(held);
            return null;
        });
        sched.runToQuiescence();
        assertFalse(held.completed(), "a bio completed on a suspended device");
        sched.call("resume", () -> {
            md.resume();
            return null;
        });
        sched.runToQuiescence();
        assertTrue(held.completed());
    }

    @Test
    void aStatusBlockedOnASuspendedTargetDeadlocksATableSwap() {
        sched.call("create", () -> {
            md.create("0 64 test /dev/disk");
            return null;
        });
        sched.call("suspend", () -> {
            md.suspend();
            return null;
        });
        built.get(0).statusBlocks = true;
        DeterministicScheduler.Actor status = sched.call("status", () -> md.status(StatusType.INFO));
        assertTrue(status.waiting());
        DeterministicScheduler.Actor resume = sched.call("resume with a new table", () -> {
            md.load("0 64 test /dev/disk");
            md.resume();
            return null;
        });
        assertEquals(DeterministicScheduler.Outcome.QUIESCENT, sched.runToQuiescence());
        assertTrue(resume.waiting(), resume.toString());
        assertEquals("synchronize_rcu", resume.at());
        assertTrue(status.waiting());
        sched.crash();
    }

    @Test
    void aConstructorErrorIsLoggedAndLeavesNoTable() {
        DeterministicScheduler.Actor a = sched.call("create", () -> {
            md.create("0 64 test");
            return null;
        });
        DmException e = (DmException) a.failure();
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(List.of("device-mapper: table: 253:0: test: Invalid argument count (-EINVAL)",
                "device-mapper: ioctl: error adding target to table"), md.log().all());
        assertThrows(DmException.class, () -> md.status(StatusType.INFO));
    }
}
