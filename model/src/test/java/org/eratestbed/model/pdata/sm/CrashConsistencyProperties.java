package org.eratestbed.model.pdata.sm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.eratestbed.model.pdata.tm.Shadow;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A power cut at any point of a commit (before any of its writes, between any two, before a flush has
 * completed), with any subset of the unflushed 4 KiB writes reaching the medium, leaves metadata that opens
 * to exactly the previous or the new committed space map.
 */
class CrashConsistencyProperties {
    /** Takes the crash space of the disk just before each write or flush is submitted, while armed. */
    private static final class CrashPoints implements BlockDevice {
        final SimDisk disk;
        final List<CrashSpace> spaces = new ArrayList<>();
        boolean armed;

        CrashPoints(SimDisk disk) {
            this.disk = disk;
        }

        @Override
        public long sizeSectors() {
            return disk.sizeSectors();
        }

        @Override
        public void submit(Bio bio) {
            if (armed && bio.op() != BioOp.READ) {
                spaces.add(disk.crash(8));
            }
            disk.submit(bio);
        }
    }

    private record Version(SmRoot root, Map<Long, Long> counts) {
    }

    @Property(tries = 12)
    void everyCrashStateOfACommitOpensToTheOldOrTheNewSpaceMap(
            @ForAll @Size(min = 3, max = 3) List<@Size(max = 25) List<@IntRange(min = 0, max = 100_000) Integer>> txns) {
        CrashPoints dev = new CrashPoints(new SimDisk(256 * 8));
        DmTransactionManager tm = DmTransactionManager.createWithSm(new BlockManager(dev, 5), 0);
        TestSuperblock.format(tm);
        TestSuperblock.commit(tm);
        TreeMap<Long, Long> counts = new TreeMap<>();
        Version committed = new Version(((MetadataSpaceMap) tm.spaceMap()).root(), Map.copyOf(counts));
        long seed = 1;
        for (List<Integer> script : txns) {
            for (int x : script) {
                step(tm, counts, x % 4, x / 4);
            }
            dev.spaces.clear();
            dev.armed = true;
            TestSuperblock.commit(tm);
            dev.armed = false;
            Version next = new Version(((MetadataSpaceMap) tm.spaceMap()).root(), Map.copyOf(counts));
            dev.spaces.add(dev.disk.crash(8));
            for (CrashSpace space : dev.spaces) {
                for (CrashState state : space.select(seed++, 16)) {
                    checkOpensAsOneOf(state, committed, next);
                }
            }
            committed = next;
        }
    }

    private static void step(DmTransactionManager tm, TreeMap<Long, Long> counts, int op, int arg) {
        List<Long> owned = new ArrayList<>(counts.keySet());
        if (op == 0 || owned.isEmpty()) {
            Block b = tm.newBlock(SpaceMapModel.USER);
            tm.unlock(b);
            counts.put(b.location(), 1L);
            return;
        }
        long b = owned.get(arg % owned.size());
        switch (op) {
            case 1 -> {
                if (counts.get(b) < 4) {
                    tm.inc(b);
                    counts.merge(b, 1L, Long::sum);
                }
            }
            case 2 -> {
                tm.dec(b);
                if (counts.merge(b, -1L, Long::sum) == 0) {
                    counts.remove(b);
                }
            }
            default -> {
                Shadow s = tm.shadowBlock(b, SpaceMapModel.USER);
                long copy = s.block().location();
                tm.unlock(s.block());
                if (copy != b) {
                    if (counts.merge(b, -1L, Long::sum) == 0) {
                        counts.remove(b);
                    }
                    counts.put(copy, 1L);
                }
            }
        }
    }

    private static void checkOpensAsOneOf(CrashState state, Version old, Version next) {
        DmTransactionManager tm = TestSuperblock.open(new BlockManager(state, 5));
        MetadataSpaceMap sm = (MetadataSpaceMap) tm.spaceMap();
        SmRoot root = sm.root();
        assertTrue(root.equals(old.root()) || root.equals(next.root()),
                () -> "crash state opened to an unknown root " + root + ": " + state.describe());
        Map<Long, Long> expected = root.equals(next.root()) ? next.counts() : old.counts();
        Set<Long> internal = SpaceMapModel.internalBlocks(sm);
        for (long b = 0; b < sm.getNrBlocks(); b++) {
            long want = expected.getOrDefault(b, 0L) + (internal.contains(b) ? 1 : 0);
            assertEquals(want, sm.getCount(b), "block " + b + " in " + state.describe());
        }
    }
}
