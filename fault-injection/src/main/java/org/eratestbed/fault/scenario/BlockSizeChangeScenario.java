package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;

/** c8e846ff (reference section 5, scenario 6): reopening metadata with another block size. */
final class BlockSizeChangeScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.BLOCK_SIZE_CHANGE;
    }

    @Override
    public String oracleText() {
        return "every sector written in era E lies in a block that invalidate --written-since E lists, blocks"
                + " counted in the metadata's own data block size (the superblock's data_block_size)";
    }

    @Override
    public String howModelled() {
        return "Create with 8-sector blocks (16 blocks), remove; create again on the same devices with 16-sector"
                + " blocks (same length); write sectors 16..31 (era block 1 of the new table); remove;"
                + " era_invalidate. Before the fix open took the on-disk size silently while map used the table's.";
    }

    @Override
    Side buggySide() {
        return Side.of(Variant.PRE_5_12);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            ev.add(m.create(Machine.table(16, 8)) + " with 8-sector blocks; " + m.remove());
            String table16 = Machine.table(8, 16);
            Machine.Outcome reopen = m.create(table16);
            ev.add("reopen '" + table16 + "': " + reopen);
            if (!reopen.ok()) {
                m.log.all().stream().filter(l -> l.contains("block size")).forEach(l -> ev.add("log: " + l));
                return new SideRun(false, "reopen with block size 16", ev, List.of());
            }
            m.settle();
            long era = m.era();
            Machine.Outcome w = m.run("dd sectors 16..31", () -> m.writeBody(1, 16));
            ev.add(w + " in era " + era);
            ev.add(m.remove().toString());
            byte[] image = m.metadataImage();
            long onDisk = org.eratestbed.model.era.tools.disk.Superblock.decode(0, java.util.Arrays.copyOf(image, 4096))
                    .dataBlockSize();
            TreeSet<Long> listed = Machine.invalidate(image, era, false);
            List<Long> missing = new ArrayList<>();
            for (long sector = 16; sector < 32; sector++) {
                if (!listed.contains(sector / onDisk)) {
                    missing.add(sector);
                }
            }
            ev.add("superblock data_block_size " + onDisk + "; invalidate --written-since " + era + " lists " + listed
                    + (missing.isEmpty() ? "" : " — sectors " + missing.get(0) + ".." + missing.get(missing.size() - 1)
                            + " (blocks " + missing.get(0) / onDisk + ".." + missing.get(missing.size() - 1) / onDisk
                            + ") written but NOT listed"));
            return new SideRun(!missing.isEmpty(), "reopen with block size 16, then a write", ev, List.of());
        }
    }
}
