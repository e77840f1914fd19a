package org.eratestbed.fault.scenario;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.SuperblockDisk;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * 64f2d15a (reference section 5, scenario 7): re-archiving an era whose identical writeset value is already
 * in the writeset tree. btree insert-overwrite decs the old value unless {@code equal} says it is the same;
 * the pre-fix ws_eq compared 16 bytes (4 past the 12-byte value) and so freed the bitset it kept.
 */
final class WritesetEqualSizeScenario extends Scenario {
    static final long BLOCK = 3;

    @Override
    public Defect defect() {
        return Defect.WRITESET_EQUAL_SIZE;
    }

    @Override
    public String oracleText() {
        return "the metadata passes check (reference counts of every writeset bitset match its references), and the"
                + " re-archived era's writes stay listed";
    }

    @Override
    public String howModelled() {
        return "The trigger state is crafted, and said so: the kernel commits the archive and the reset of the"
                + " current writeset together, so it never writes it. Run: write block " + BLOCK + " in era 1 and"
                + " remove (postsuspend archives era 1 = {16 bits, root R}); then the superblock is patched to name R"
                + " as the current writeset again (as a crash between the insert and the reset would leave it) and"
                + " re-checksummed. Reopening recovers the current writeset (de89afc1) and the first resume"
                + " re-archives era 1 with the identical value: an insert-overwrite whose equal() decides whether R"
                + " is decremented. Then the digest runs, remove, check and era_invalidate.";
    }

    @Override
    Side buggySide() {
        return Side.with(Variant.UPSTREAM, Defect.WRITESET_EQUAL_SIZE);
    }

    @Override
    SideRun run(Side side) {
        List<String> ev = new ArrayList<>();
        String table = Machine.table(16);
        byte[] crafted;
        long era;
        try (Machine m = new Machine(side.predicate(), new Machine.Config())) {
            m.create(table);
            m.settle();
            era = m.era();
            m.write(BLOCK);
            ByteBuffer sb = ByteBuffer.wrap(m.metadataImage(), 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
            int nrBits = sb.getInt(SuperblockDisk.OFF_CURRENT_WRITESET);
            long root = sb.getLong(SuperblockDisk.OFF_CURRENT_WRITESET + 4);
            m.remove();
            crafted = m.metadataImage();
            ByteBuffer c = ByteBuffer.wrap(crafted).order(ByteOrder.LITTLE_ENDIAN);
            ev.add("after remove: era " + era + " archived as {nr_bits " + nrBits + ", root " + root
                    + "}, current writeset root " + c.getLong(SuperblockDisk.OFF_CURRENT_WRITESET + 4));
            c.putInt(SuperblockDisk.OFF_CURRENT_WRITESET, nrBits);
            c.putLong(SuperblockDisk.OFF_CURRENT_WRITESET + 4, root);
            byte[] block0 = java.util.Arrays.copyOf(crafted, 4096);
            c.putInt(SuperblockDisk.OFF_CSUM, Checksum.blockChecksum(block0, BlockType.ERA_SUPERBLOCK));
            ev.add("crafted: superblock current writeset patched back to {nr_bits " + nrBits + ", root " + root
                    + "} and re-checksummed");
        }
        Machine.Config cfg = new Machine.Config().metadataBase(Machine.imageOf(crafted, 4 << 11));
        try (Machine m = new Machine(side.predicate(), cfg)) {
            Machine.Outcome created = m.create(table);
            m.settle();
            Machine.Outcome removed = m.remove();
            byte[] image = m.metadataImage();
            List<String> problems = Machine.check(image);
            ev.add("reopen " + created + " (re-archives era " + era + "); " + removed);
            m.log.all().stream().distinct().forEach(l -> ev.add("log: " + l));
            ev.add("check: " + (problems.isEmpty() ? "no problem" : String.join(" | ", problems.subList(0,
                    Math.min(4, problems.size())))));
            if (side.has(Defect.RECOVER_COMMITTED_WRITESET)) {
                ev.add("on this side de89afc1 is live too: open ignores the superblock's current writeset, so the"
                        + " identical re-archive (the trigger) never happens");
            }
            boolean listed;
            try {
                listed = Machine.invalidate(image, era, false).contains(BLOCK);
                ev.add("invalidate --written-since " + era + (listed ? " lists" : " does NOT list") + " block " + BLOCK);
            } catch (RuntimeException e) {
                listed = false;
                ev.add("invalidate --written-since " + era + " fails: " + e.getMessage());
            }
            return new SideRun(!problems.isEmpty() || !listed || !created.ok(),
                    "re-archive era " + era + " with the identical value on the first resume", ev, List.of());
        }
    }
}
