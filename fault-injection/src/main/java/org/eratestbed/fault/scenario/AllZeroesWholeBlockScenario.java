package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;

/**
 * M10: shows that the review's condition cannot arise. superblock_all_zeroes scans the whole metadata block;
 * LVM zeroes the first 4 KiB of a new volume; the era metadata block is 4 KiB, so the two ranges are the same
 * bytes and both scans decide alike on every device.
 */
final class AllZeroesWholeBlockScenario extends Scenario {
    @Override
    public Defect defect() {
        return Defect.M10_ALL_ZEROES_WHOLE_BLOCK;
    }

    @Override
    public boolean observable() {
        return false;
    }

    @Override
    public String oracleText() {
        return "a fresh LVM volume (first 4 KiB zeroed, old data after it) is formatted, and formats cleanly";
    }

    @Override
    public String howModelled() {
        return "Cannot arise, and the scenario shows why instead of faking a failure: the metadata device holds an"
                + " old volume's bytes from 4 KiB on and zeroes before (what LVM leaves). The reviewed path scans the"
                + " whole metadata block (" + EraMetadata.DM_ERA_METADATA_BLOCK_SIZE + " bytes), the fixed path the"
                + " first " + EraMetadata.LVM_ZEROED_BYTES + " bytes LVM zeroes: the same bytes, so both format, and"
                + " check passes. The point stays in the catalogue for traceability.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.HARDENED, Defect.M10_ALL_ZEROES_WHOLE_BLOCK);
    }

    @Override
    SideRun run(Side side) {
        long sectors = 4 << 11;
        byte[] lvm = new byte[(int) (sectors * BlockDevice.SECTOR_SIZE)];
        Arrays.fill(lvm, EraMetadata.LVM_ZEROED_BYTES, lvm.length, (byte) 0x5A);
        List<String> ev = new ArrayList<>();
        ev.add("metadata device: zero bytes [0, " + EraMetadata.LVM_ZEROED_BYTES + "), 0x5A from there to "
                + lvm.length);
        ev.add("bytes scanned: " + (side.has(Defect.M10_ALL_ZEROES_WHOLE_BLOCK)
                ? EraMetadata.DM_ERA_METADATA_BLOCK_SIZE + " (the whole metadata block)"
                : EraMetadata.LVM_ZEROED_BYTES + " (what LVM zeroes)"));
        Machine.Config c = new Machine.Config().metadataSectors(sectors).metadataBase(Machine.imageOf(lvm, sectors));
        try (Machine m = new Machine(side.predicate(), c)) {
            Machine.Outcome o = m.create(Machine.table(16));
            Machine.Outcome r = m.remove();
            List<String> problems = Machine.check(m.metadataImage());
            ev.add("create: " + o + "; " + r);
            ev.add("check: " + (problems.isEmpty() ? "no problem" : problems));
            return new SideRun(!o.ok() || !problems.isEmpty(), "dmsetup create on a fresh LVM volume", ev, List.of());
        }
    }
}
