package org.eratestbed.model.era.tools;

import static org.eratestbed.model.era.tools.disk.DiskFormat.WRITESET_VALUE_SIZE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eratestbed.model.era.tools.disk.BtreeWalker;
import org.eratestbed.model.era.tools.disk.Le;
import org.eratestbed.model.era.tools.disk.MetadataReader;
import org.eratestbed.model.era.tools.disk.Superblock;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** The writesets of one superblock's view, read strictly, oldest era first. */
final class Writesets {
    /** One writeset: its era, nr_bits and bitset root; {@code current} for the superblock's own. */
    record Entry(long era, long nrBits, long root, boolean current) {
    }

    /**
     * More undigested eras than this cannot come from the kernel (its worker digests continuously); the cap
     * keeps a crafted tree of millions of entries from exhausting memory.
     */
    static final int MAX_WRITESETS = 1 << 20;

    private Writesets() {
    }

    /** Fails on any problem that makes a node unusable; shape rules the kernel does not enforce are let pass. */
    static BtreeWalker.ProblemSink strict() {
        return (e, fatal) -> {
            if (fatal) {
                throw e;
            }
        };
    }

    /**
     * The archived writesets of {@code view} plus, when asked, the superblock's current writeset (root != 0,
     * era = current_era), ordered by age relative to current_era as the Rust era_dump does, so that an era
     * counter that wrapped past 2^32 still lists oldest first; without a wrap this is ascending era order.
     */
    static List<Entry> read(MetadataReader reader, Superblock view, boolean includeCurrent) {
        List<Entry> list = new ArrayList<>();
        new BtreeWalker(reader, strict(), null).walk(view.writesetTreeRoot(), "writeset tree", WRITESET_VALUE_SIZE,
                (key, leaf, off, leafBlock, counting) -> {
                    if (Long.compareUnsigned(key, 0xFFFFFFFFL) > 0) {
                        throw new MetadataException(Errno.EINVAL, "block " + leafBlock + ": writeset tree: key "
                                + Le.u64String(key) + " is not a 32-bit era");
                    }
                    if (list.size() >= MAX_WRITESETS) {
                        throw new MetadataException(Errno.EINVAL, "block " + leafBlock + ": writeset tree: more than "
                                + MAX_WRITESETS + " writesets (undigested eras); refusing to read further");
                    }
                    list.add(new Entry(key, Le.u32(leaf, off), Le.u64(leaf, off + 4), false));
                });
        if (includeCurrent && view.currentWritesetRoot() != 0) {
            for (Entry e : list) {
                if (e.era() == view.currentEra()) {
                    throw new MetadataException(Errno.EINVAL, "block 0: superblock: current writeset (era "
                            + view.currentEra() + ") duplicates the writeset tree's entry for that era");
                }
            }
            list.add(new Entry(view.currentEra(), view.currentWritesetNrBits(), view.currentWritesetRoot(), true));
        }
        long newest = view.currentEra();
        list.sort(Comparator.comparingLong(e -> (e.era() - newest - 1) & 0xFFFFFFFFL));
        return list;
    }
}
