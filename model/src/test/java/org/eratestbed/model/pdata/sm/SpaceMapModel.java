package org.eratestbed.model.pdata.sm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.BlockType;
import org.eratestbed.model.pdata.block.ChecksummedValidator;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.eratestbed.model.pdata.tm.Shadow;

/**
 * Drives a metadata space map (through its transaction manager) with user-level operations and checks
 * it against a plain reference model of reference counts after every step: counts, reopen from the
 * committed root, the on-disk index against the bitmaps, and that no write ever lands on a block
 * reachable from the last committed superblock.
 */
final class SpaceMapModel {
    static final ChecksummedValidator USER = new ChecksummedValidator("user", BlockType.ARRAY_BLOCK, 16);
    private static final int MARKER_OFFSET = 64;

    final MemDisk disk;
    final int maxCount;
    DmTransactionManager tm;
    /** Blocks the test owns, with their counts (> 0). */
    final TreeMap<Long, Long> counts = new TreeMap<>();
    /** The marker written into each owned block. */
    final Map<Long, Integer> markers = new HashMap<>();
    TreeMap<Long, Long> committedCounts = new TreeMap<>();
    Map<Long, Integer> committedMarkers = new HashMap<>();
    Set<Long> committedReachable = new HashSet<>();
    private int nextMarker = 1;

    SpaceMapModel(int blocks, int maxCount) {
        this.disk = new MemDisk(blocks);
        this.maxCount = maxCount;
        tm = DmTransactionManager.createWithSm(new BlockManager(disk, 5), 0);
        TestSuperblock.format(tm);
        committedReachable = reachableOnDisk();
        commit();
    }

    MetadataSpaceMap sm() {
        return (MetadataSpaceMap) tm.spaceMap();
    }

    private long pick(int arg) {
        List<Long> owned = new ArrayList<>(counts.keySet());
        return owned.get(Math.floorMod(arg, owned.size()));
    }

    private void mark(Block b) {
        int m = nextMarker++;
        b.le().putInt(MARKER_OFFSET, m);
        markers.put(b.location(), m);
    }

    void newBlock() {
        Set<Long> committedUse = new HashSet<>(committedReachable);
        long free = tm.spaceMap().getNrFree();
        Block b = tm.newBlock(USER);
        long location = b.location();
        assertFalse(counts.containsKey(location), "allocated a block still in use: " + location);
        assertFalse(committedUse.contains(location), "allocated a block the committed transaction uses: " + location);
        // allocated_this_transaction also counts the space map's own shadow copies
        assertTrue(tm.spaceMap().getNrFree() < free, "new_block lowers the free count");
        mark(b);
        tm.unlock(b);
        counts.put(location, 1L);
    }

    void inc(int arg) {
        if (counts.isEmpty()) {
            return;
        }
        long b = pick(arg);
        if (counts.get(b) >= maxCount) {
            return;
        }
        tm.inc(b);
        counts.merge(b, 1L, Long::sum);
    }

    void dec(int arg) {
        if (counts.isEmpty()) {
            return;
        }
        long b = pick(arg);
        tm.dec(b);
        if (counts.merge(b, -1L, Long::sum) == 0) {
            counts.remove(b);
            markers.remove(b);
        }
    }

    void incRange(int arg) {
        if (counts.isEmpty()) {
            return;
        }
        // a run of owned blocks [b, e) that can all take one more
        long b = pick(arg);
        long e = b;
        while (counts.containsKey(e) && counts.get(e) < maxCount && e - b < 4) {
            e++;
        }
        if (e == b) {
            return;
        }
        tm.incRange(b, e);
        for (long x = b; x < e; x++) {
            counts.merge(x, 1L, Long::sum);
        }
    }

    void shadow(int arg) {
        if (counts.isEmpty()) {
            return;
        }
        long b = pick(arg);
        long count = counts.get(b);
        boolean inPlace = tm.isShadow(b) && count == 1;
        Shadow s = tm.shadowBlock(b, USER);
        Block copy = s.block();
        assertEquals((int) markers.get(b), copy.le().getInt(MARKER_OFFSET), "shadow keeps the contents");
        if (inPlace) {
            assertEquals(b, copy.location());
            assertFalse(s.incChildren());
        } else {
            assertNotEquals(b, copy.location());
            assertFalse(counts.containsKey(copy.location()));
            assertFalse(committedReachable.contains(copy.location()), "a shadow must not land on a committed block");
            assertEquals(count > 1, s.incChildren());
            if (counts.merge(b, -1L, Long::sum) == 0) {
                counts.remove(b);
                markers.remove(b);
            }
            counts.put(copy.location(), 1L);
        }
        mark(copy);
        tm.unlock(copy);
    }

    /** era's metadata_commit; then checks the write-out against the previous committed root and the new image. */
    void commit() {
        disk.clearLog();
        TestSuperblock.commit(tm);
        checkWriteOut(disk.log());
        committedCounts = new TreeMap<>(counts);
        committedMarkers = new HashMap<>(markers);
        committedReachable = reachableOnDisk();
        checkOnDiskSpaceMap();
        assertEquals(tm.spaceMap().getNrBlocks() - SmRoot.unpack(disk.block(0), 44, 32).nrAllocated(),
                tm.spaceMap().getNrFree(), "after a commit the in-core free count is the committed one");
    }

    /** Open the committed image with a cold cache, as after a crash or a reload. */
    void reopen() {
        tm = TestSuperblock.open(new BlockManager(disk, 5));
        counts.clear();
        counts.putAll(committedCounts);
        markers.clear();
        markers.putAll(committedMarkers);
        for (Map.Entry<Long, Integer> e : committedMarkers.entrySet()) {
            Block b = tm.readLock(e.getKey(), USER);
            assertEquals((int) e.getValue(), b.le().getInt(MARKER_OFFSET), "contents of block " + e.getKey());
            tm.unlock(b);
        }
    }

    private void checkWriteOut(List<String> log) {
        int n = log.size();
        assertTrue(n >= 3, "a commit writes at least the superblock: " + log);
        assertEquals(List.of("F", "W 0", "F"), log.subList(n - 3, n), "superblock last, between flushes: " + log);
        for (String op : log.subList(0, n - 3)) {
            if (op.equals("F")) {
                continue;
            }
            long b = Long.parseLong(op.substring(2));
            assertNotEquals(0L, b, "superblock written before the other blocks were flushed: " + log);
            assertFalse(committedReachable.contains(b),
                    "block " + b + " reachable from the committed superblock was overwritten: " + log);
        }
    }

    /** The space map's own blocks as the in-core map sees them now. */
    Set<Long> internalBlocks() {
        return internalBlocks(sm());
    }

    /** Block 0 (the superblock), the index, the bitmaps and the ref-count root of {@code sm} as it stands. */
    static Set<Long> internalBlocks(MetadataSpaceMap sm) {
        Set<Long> internal = new HashSet<>();
        SmRoot root = sm.root();
        internal.add(0L);
        internal.add(root.bitmapRoot());
        internal.add(root.refCountRoot());
        for (int i = 0; i < sm.nrBitmaps(); i++) {
            internal.add(sm.indexEntry(i).blocknr());
        }
        return internal;
    }

    /** Every block's count equals the model's (plus one for the space map's own blocks). */
    void checkCounts() {
        Set<Long> internal = internalBlocks();
        long nr = tm.spaceMap().getNrBlocks();
        Map<Long, Long> all = new TreeMap<>(counts);
        for (long b : internal) {
            all.merge(b, 1L, Long::sum);
        }
        assertEquals(all, sm().nonZeroCounts(), "nonZeroCounts");
        for (long b = 0; b < nr; b++) {
            long expected = counts.getOrDefault(b, 0L) + (internal.contains(b) ? 1 : 0);
            assertEquals(expected, tm.spaceMap().getCount(b), "count of block " + b);
            assertEquals(expected > 1, tm.spaceMap().countIsMoreThanOne(b), "count_is_more_than_one of block " + b);
        }
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private Set<Long> reachableOnDisk() {
        Set<Long> r = new HashSet<>(committedCounts.keySet());
        SmRoot root = SmRoot.unpack(disk.block(0), 44, 32);
        r.add(0L);
        r.add(root.bitmapRoot());
        r.add(root.refCountRoot());
        byte[] index = disk.block(root.bitmapRoot());
        int bitmaps = (int) ((root.nrBlocks() + 16319) / 16320);
        for (int i = 0; i < bitmaps; i++) {
            r.add(le(index).getLong(16 + 16 * i));
        }
        return r;
    }

    /** The committed image: checksums, index entries against bitmap contents, nr_allocated, counts against the model. */
    private void checkOnDiskSpaceMap() {
        SmRoot root = SmRoot.unpack(disk.block(0), 44, 32);
        byte[] index = disk.block(root.bitmapRoot());
        SmValidators.INDEX.check(new Block(root.bitmapRoot(), index));
        int epb = 16320;
        int bitmaps = (int) ((root.nrBlocks() + epb - 1) / epb);
        long allocated = 0;
        Map<Long, Long> expected = new HashMap<>(committedCounts);
        for (long b : reachableOnDisk()) {
            if (!committedCounts.containsKey(b)) {
                expected.put(b, 1L);
            }
        }
        for (int i = 0; i < bitmaps; i++) {
            long blocknr = le(index).getLong(16 + 16 * i);
            int nrFree = le(index).getInt(24 + 16 * i);
            int noneFreeBefore = le(index).getInt(28 + 16 * i);
            byte[] bitmap = disk.block(blocknr);
            SmValidators.BITMAP.check(new Block(blocknr, bitmap));
            ByteBuffer bm = le(bitmap);
            int free = 0;
            int firstFree = -1;
            for (int e = 0; e < epb; e++) {
                long block = (long) i * epb + e;
                int v = Bitmap.lookup(bm, e);
                if (block >= root.nrBlocks()) {
                    assertEquals(0, v, "entry past nr_blocks");
                }
                if (v == 0) {
                    free++;
                    if (firstFree < 0) {
                        firstFree = e;
                    }
                } else {
                    allocated++;
                }
                if (block < root.nrBlocks()) {
                    long want = expected.getOrDefault(block, 0L);
                    assertEquals(Math.min(want, 3), v, "bitmap entry of block " + block);
                }
            }
            assertEquals(free, nrFree, "index entry " + i + " nr_free");
            assertTrue(firstFree < 0 || noneFreeBefore <= firstFree,
                    "none_free_before " + noneFreeBefore + " past the first free entry " + firstFree);
        }
        for (int i = bitmaps; i < 255; i++) {
            assertEquals(0L, le(index).getLong(16 + 16 * i), "unused index entry " + i);
        }
        assertEquals(allocated, root.nrAllocated(), "nr_allocated against the bitmaps");
    }
}
