package org.eratestbed.model.era.tools.check;

import static org.eratestbed.model.era.tools.disk.DiskFormat.*;

import org.eratestbed.model.era.tools.disk.ArrayWalker;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.era.tools.disk.BtreeWalker;
import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.era.tools.disk.MetadataReader;
import org.eratestbed.model.era.tools.disk.RefCounts;
import org.eratestbed.model.era.tools.disk.Superblock;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.Checksum;

/**
 * The metadata-consistency oracle: everything era_check checks, and what it leaves out. It decodes the
 * on-disk format itself, read-only and independently of the model's writer, and survives any image: it
 * never throws for damage, every walk is bounded by the image's blocks, and memory is bounded by the
 * metadata device's maximum size (about 4.2 M blocks), never by the origin's nr_blocks.
 *
 * <p>Checked: the live superblock (blocknr, magic, checksum, version, metadata and data block size, nr_blocks,
 * flags, roots) and a held snapshot clone; every btree node, array block and bitset; era values and writeset
 * eras against current_era; the superblock's current writeset; the space map (index, bitmaps, ref-count
 * tree, nr_free, none_free_before, nr_allocated); and the reference count of every block, counted from the
 * live superblock and the clone as the transaction manager counts them, against the space map.
 */
public final class EraCheck {
    private final MetadataReader reader;
    private final CheckReport report = new CheckReport();
    private final RefCounts refs;
    private final Sinks sink = new Sinks();
    private long writesets;
    /** Full era-array blocks already scanned against a current_era, by location (direct-mapped, no boxing). */
    private final long[] eraMaxTag = new long[1024];
    private final long[] eraMaxEra = new long[1024];

    private EraCheck(BlockSource source) {
        this.reader = new MetadataReader(source);
        this.refs = new RefCounts(reader.limit());
        java.util.Arrays.fill(eraMaxTag, -1);
    }

    /** Checks an image; never throws for anything the image contains. */
    public static CheckReport check(BlockSource source) {
        EraCheck c = new EraCheck(source);
        try {
            c.run();
        } catch (MetadataException e) {
            // I/O errors that no walk could attribute (the image shrank under us) end the check as a problem
            c.report.add(new Problem(Problem.Severity.ERROR, e.getMessage()));
        }
        return c.report;
    }

    private final class Sinks implements SpaceMapCheck.Sink {
        @Override
        public void problem(MetadataException e, boolean fatal) {
            report.add(new Problem(Problem.Severity.ERROR, e.getMessage()));
        }

        @Override
        public void error(String message) {
            report.add(new Problem(Problem.Severity.ERROR, message));
        }

        @Override
        public void warning(String message) {
            report.add(new Problem(Problem.Severity.WARNING, message));
        }
    }

    private void run() {
        if (reader.imageBlocks() == 0) {
            report.notEraImage("not era metadata: the image is smaller than one 4096-byte block");
            return;
        }
        byte[] b0 = reader.raw(SUPERBLOCK_LOCATION, "superblock");
        if (allZero(b0)) {
            report.notEraImage("not era metadata: block 0 is all zeros (unformatted; the kernel would format it)");
            return;
        }
        Superblock sb = Superblock.decode(SUPERBLOCK_LOCATION, b0);
        boolean csumOk = Checksum.blockChecksum(b0, BlockType.ERA_SUPERBLOCK) == (int) sb.csum();
        // A few flipped bits in the magic are a damaged era superblock; anything else without a valid era
        // checksum is another format altogether.
        if (!csumOk && Long.bitCount(sb.magic() ^ SUPERBLOCK_MAGIC) > 4) {
            report.notEraImage("not era metadata: block 0 has magic " + Le.u64String(sb.magic()) + " (era: "
                    + SUPERBLOCK_MAGIC + ") and no valid era superblock checksum"
                    + (b0[0] == '<' ? " (this looks like XML: restore it first)" : ""));
            return;
        }
        if (!checkSuperblockHeader(sb, b0, csumOk)) {
            return;
        }
        refs.add(SUPERBLOCK_LOCATION);
        checkSuperblockFields(sb);

        SpaceMapCheck sm = new SpaceMapCheck(reader, sink, refs);
        sm.read(sb);

        checkEraStructures(sb, true);
        if (sb.metadataSnap() != 0) {
            refs.add(sb.metadataSnap());
            checkSnapshot(sb);
        }
        compareCounts(sm);
        if (report.ok()) {
            // Concatenated, not String.format: a campaign checks thousands of states a second, each ending here.
            report.summary("era metadata OK: nr_blocks " + sb.nrBlocks() + ", current era " + sb.currentEra() + ", "
                    + writesets + " writesets, metadata " + sb.smRoot().nrAllocated() + "/" + sb.smRoot().nrBlocks()
                    + " blocks in use" + (sb.metadataSnap() != 0 ? ", metadata snapshot at block " + sb.metadataSnap() : ""));
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** The kernel's sb_check; false when the block cannot be trusted at all. */
    private boolean checkSuperblockHeader(Superblock sb, byte[] data, boolean csumOk) {
        String w = "block " + sb.location() + ": " + Superblock.describe(sb.location()) + ": ";
        boolean ok = true;
        if (sb.blocknr() != sb.location()) {
            sink.error(w + "blocknr field is " + Le.u64String(sb.blocknr()) + ", expected " + sb.location());
            ok = false;
        }
        if (sb.magic() != SUPERBLOCK_MAGIC) {
            sink.error(w + "magic " + Le.u64String(sb.magic()) + ", expected " + SUPERBLOCK_MAGIC);
            ok = false;
        }
        if (!csumOk) {
            sink.error(String.format("%schecksum 0x%08x, expected 0x%08x", w, sb.csum(),
                    Checksum.blockChecksum(data, BlockType.ERA_SUPERBLOCK)));
            ok = false;
        }
        if (sb.version() != SUPERBLOCK_VERSION) {
            sink.error(w + "version " + sb.version() + ", expected " + SUPERBLOCK_VERSION);
            ok = false;
        }
        return ok;
    }

    private void checkSuperblockFields(Superblock sb) {
        String w = "block 0: superblock: ";
        // bit 0 is thin-provisioning-tools' clean_shutdown (the Rust era_restore sets it); the kernel writes 0
        if ((sb.flags() & ~1L) != 0) {
            sink.error(w + "flags 0x" + Long.toHexString(sb.flags()) + " has unknown bits, expected 0 or 1");
        }
        if (sb.metadataBlockSize() != METADATA_BLOCK_SECTORS) {
            sink.error(w + "metadata_block_size " + sb.metadataBlockSize() + ", expected " + METADATA_BLOCK_SECTORS);
        }
        if (sb.dataBlockSize() == 0 || sb.dataBlockSize() % MIN_DATA_BLOCK_SECTORS != 0) {
            sink.error(w + "data_block_size " + sb.dataBlockSize() + " sectors, expected a positive multiple of "
                    + MIN_DATA_BLOCK_SECTORS + " (no era target could open it)");
        }
        if (sb.nrBlocks() >= MAX_ORIGIN_BLOCKS) {
            sink.error(w + "nr_blocks " + sb.nrBlocks() + ", expected below 2^31 (valid_nr_blocks)");
        }
    }

    private void checkSnapshot(Superblock live) {
        Superblock clone;
        long loc = live.metadataSnap();
        try {
            reader.checkAddressable(loc, "metadata snapshot superblock named by the superblock");
            byte[] data = reader.raw(loc, "metadata snapshot superblock");
            clone = Superblock.decode(loc, data);
            boolean csumOk = Checksum.blockChecksum(data, BlockType.ERA_SUPERBLOCK) == (int) clone.csum();
            if (!checkSuperblockHeader(clone, data, csumOk)) {
                return;
            }
        } catch (MetadataException e) {
            sink.problem(e, true);
            return;
        }
        String w = "block " + loc + ": metadata snapshot superblock: ";
        if (clone.metadataSnap() != 0) {
            sink.error(w + "metadata_snap " + Le.u64String(clone.metadataSnap()) + ", expected 0 in a clone");
        }
        if (clone.currentEra() > live.currentEra()) {
            sink.error(w + "current_era " + clone.currentEra() + " is newer than the live superblock's "
                    + live.currentEra());
        }
        // Only the clone's writeset tree and era array are held for it (take_metadata_snap incs just those);
        // its space-map root and current writeset are stale and must not be followed.
        checkEraStructures(clone, false);
    }

    private void checkEraStructures(Superblock sb, boolean live) {
        String sbName = Superblock.describe(sb.location());
        String prefix = live ? "" : "snapshot ";
        String w = "block " + sb.location() + ": " + sbName + ": ";
        long currentEra = sb.currentEra();
        long nrBlocks = sb.nrBlocks();
        if (sb.writesetTreeRoot() == SUPERBLOCK_LOCATION || sb.eraArrayRoot() == SUPERBLOCK_LOCATION) {
            sink.error(w + "writeset_tree_root " + Le.u64String(sb.writesetTreeRoot()) + ", era_array_root "
                    + Le.u64String(sb.eraArrayRoot()) + ": a root points back to the superblock");
        } else if (sb.writesetTreeRoot() == sb.eraArrayRoot()) {
            sink.error(w + "writeset tree and era array share root block " + Le.u64String(sb.eraArrayRoot()));
        }
        refs.add(sb.writesetTreeRoot());
        refs.add(sb.eraArrayRoot());
        boolean[] currentArchived = {false};
        if (sb.writesetTreeRoot() != SUPERBLOCK_LOCATION) {
            new BtreeWalker(reader, sink, refs).walk(sb.writesetTreeRoot(), prefix + "writeset tree", WRITESET_VALUE_SIZE,
                    (key, leaf, off, leafBlock, counting) -> {
                        long nrBits = Le.u32(leaf, off);
                        long root = Le.u64(leaf, off + 4);
                        if (counting) {
                            refs.add(root);
                        }
                        String ww = "block " + leafBlock + ": " + prefix + "writeset tree: era " + Le.u64String(key) + ": ";
                        if (Long.compareUnsigned(key, 0xFFFFFFFFL) > 0) {
                            sink.error(ww + "key is not a 32-bit era");
                            return;
                        }
                        if (key > currentEra) {
                            sink.error(ww + "era is newer than current_era " + currentEra);
                        }
                        if (live && key == currentEra && sb.currentWritesetRoot() != 0) {
                            currentArchived[0] = true;
                        }
                        if (live) {
                            writesets++;
                        }
                        checkBitset(root, nrBits, nrBlocks, prefix + "writeset era " + key, ww);
                    });
        }
        if (live && sb.currentWritesetRoot() != 0) {
            refs.add(sb.currentWritesetRoot());
            writesets++;
            if (currentArchived[0]) {
                sink.error(w + "current writeset (era " + currentEra + ", root " + Le.u64String(sb.currentWritesetRoot())
                        + ") duplicates the writeset tree's entry for that era");
            }
            checkBitset(sb.currentWritesetRoot(), sb.currentWritesetNrBits(), nrBlocks,
                    "current writeset (era " + currentEra + ")", w + "current writeset: ");
        }
        if (sb.eraArrayRoot() != SUPERBLOCK_LOCATION) {
            int max = arrayMaxEntries(ERA_VALUE_SIZE);
            new ArrayWalker(reader, sink, refs).walk(sb.eraArrayRoot(), prefix + "era array", ERA_VALUE_SIZE, nrBlocks,
                    (index, block, data, nr) -> {
                        // a block shared by many array slots (legal, if never written by dm-era) is scanned, and
                        // its bad eras reported, once
                        int slot = (int) (block % eraMaxTag.length);
                        if (eraMaxTag[slot] == block && eraMaxEra[slot] == currentEra && nr == max) {
                            return;
                        }
                        long bad = 0;
                        long firstBlock = -1;
                        long firstEra = 0;
                        for (int i = 0; i < nr; i++) {
                            long era = Le.u32(data, AB_HEADER_SIZE + 4 * i);
                            if (era > currentEra) {
                                if (bad++ == 0) {
                                    firstBlock = index * max + i;
                                    firstEra = era;
                                }
                            }
                        }
                        if (nr == max) {
                            eraMaxTag[slot] = block;
                            eraMaxEra[slot] = currentEra;
                        }
                        if (bad > 0) {
                            sink.error("block " + block + ": " + prefix + "era array block " + index + ": " + bad
                                    + " era values above current_era " + currentEra + " (first: origin block "
                                    + firstBlock + " has era " + firstEra + ")");
                        }
                    });
        }
    }

    private void checkBitset(long root, long nrBits, long nrBlocks, String name, String where) {
        if (root == SUPERBLOCK_LOCATION) {
            sink.error(where + "bitset root is 0 (the superblock)");
            return;
        }
        if (nrBits > nrBlocks) {
            // The kernel leaves such writesets after shrinking the origin, until the digest reaches them
            // (it digests min(nr_bits, nr_blocks) bits), so this is not damage by itself.
            sink.warning(where + "nr_bits " + nrBits + " exceeds the superblock's nr_blocks " + nrBlocks);
        }
        long words = (nrBits + BITS_PER_WORD - 1) / BITS_PER_WORD;
        int max = arrayMaxEntries(BITSET_WORD_SIZE);
        new ArrayWalker(reader, sink, refs).walk(root, name + " bitset", BITSET_WORD_SIZE, words,
                (index, block, data, nr) -> {
                    long lastWord = words - 1;
                    long i = lastWord - index * max;
                    if (i >= 0 && i < nr && nrBits % BITS_PER_WORD != 0) {
                        long word = Le.u64(data, AB_HEADER_SIZE + 8 * (int) i);
                        long tail = word >>> (nrBits % BITS_PER_WORD);
                        if (tail != 0) {
                            sink.error("block " + block + ": " + name + " bitset array block " + index + ": bits set past nr_bits "
                                    + nrBits + " (last word 0x" + Long.toHexString(word) + ")");
                        }
                    }
                });
    }

    private void compareCounts(SpaceMapCheck sm) {
        long covered = sm.covered();
        // beyond what the space map describes, any reference is an error of its own
        for (long b = covered == 0 ? refs.limit() : covered; b < refs.limit(); b++) {
            if (refs.count(b) > 0) {
                sink.error("block " + b + ": referenced " + refs.count(b) + " times but beyond the space map's "
                        + sm.nrBlocks() + " blocks");
            }
        }
        if (covered == 0) {
            return;
        }
        long runStart = -1;
        long runExpected = 0;
        long runFound = 0;
        for (long b = 0; b <= covered; b++) {
            long expected = b < covered ? refs.count(b) : -1;
            long found = b < covered ? sm.count(b) : -1;
            boolean bad = expected != found;
            if (runStart >= 0 && (!bad || expected != runExpected || found != runFound || b == covered)) {
                reportCountRun(runStart, b - 1, runExpected, runFound);
                runStart = -1;
            }
            if (bad && b < covered && runStart < 0) {
                runStart = b;
                runExpected = expected;
                runFound = found;
            }
        }
    }

    private void reportCountRun(long first, long last, long expected, long found) {
        String blocks = first == last ? "block " + first : "blocks " + first + "-" + last;
        if (expected == 0) {
            sink.error(blocks + ": leaked: space map count " + found + ", but nothing references "
                    + (first == last ? "it" : "them"));
        } else if (found == 0) {
            sink.error(blocks + ": referenced " + expected + " times, but free in the space map");
        } else {
            sink.error(blocks + ": space map count " + found + ", expected " + expected + " (references found)");
        }
    }
}
