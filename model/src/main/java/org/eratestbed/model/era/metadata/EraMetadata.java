package org.eratestbed.model.era.metadata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.model.dm.KernelLog;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.target.SplitValue64;
import org.eratestbed.model.kernel.Rcu;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.ArrayInfo;
import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.bitset.DiskBitset;
import org.eratestbed.model.pdata.bitset.DmBitset;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.block.IoWait;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeInfo;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.sm.SpaceMap;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.eratestbed.model.pdata.tm.Shadow;

/**
 * struct era_metadata and the "low level" and "high level" metadata functions of dm-era-target.c: format,
 * open, close, resize, archive, new era, rollover, commit, checkpoint, take/drop metadata snapshot, stats,
 * and the digest's data. Every method runs on the worker (or, while it is stopped, in suspend/resume),
 * so none of it is locked — except the current writeset pointer, which era_map reads under RCU.
 */
public final class EraMetadata {
    public static final int DM_ERA_METADATA_BLOCK_SIZE = 4096;
    public static final int METADATA_BLOCK_SECTORS = DM_ERA_METADATA_BLOCK_SIZE >> BlockDevice.SECTOR_SHIFT;
    public static final int ERA_MAX_CONCURRENT_LOCKS = 5;
    public static final int WRITESET_DISK_SIZE = 12;
    /**
     * What ws_eq compared before 64f2d15a: sizeof(struct writeset_metadata), a u32 and a u64 with padding,
     * 16 bytes on 64-bit — 4 more than the value.
     */
    public static final int WRITESET_METADATA_SIZEOF = 16;
    /** The 4 bytes after an on-stack writeset_disk: anything. A fixed pattern keeps runs reproducible. */
    private static final int STACK_GARBAGE = 0xA5A5A5A5;
    /** What LVM zeroes at the start of a new volume (review point M10): the first 4 KiB. */
    public static final int LVM_ZEROED_BYTES = 4096;
    /**
     * What the model's allocation ledger ({@link Vmalloc}) charges for the transaction manager and the
     * space map a metadata object creates (kzalloc'd structs in the kernel), so review points M8 and M9 (they
     * leak on error paths) are a count a test can watch, like the bitsets of 904e6b26.
     */
    public static final long TM_OBJECT_BYTES = 64;
    public static final long SM_OBJECT_BYTES = 512;

    private final BlockDevice bdev;
    private final Predicate<Defect> live;
    /** Fail mode after a failed commit (only ever set with testbed-commit-after-failed-write fixed). */
    private boolean failed;
    private final KernelLog log;
    private final Vmalloc vmalloc;
    private final IoWait ioWait;
    private final Scheduler scheduler;
    /** A CPU that traps misaligned 64-bit loads (review point M5); off on the model's default machine. */
    private final boolean strictAlignment;
    /** The block size the ctr asked for (blockSize may be replaced by the superblock's, c8e846ff). */
    private final long requestedBlockSize;
    BlockManager bm;
    SpaceMap sm;
    DmTransactionManager tm;
    long blockSize;
    long nrBlocks;
    int currentEra;
    /**
     * M6: the reviewed code's 64-bit era counter, kept as a 32-bit CPU keeps it (two words, stored one at a
     * time); null on the fixed path, where the era is one u32 ({@link #currentEra}).
     */
    private SplitValue64 era64;
    final Writeset[] writesets = {new Writeset(), new Writeset()};
    private final Rcu<Writeset> currentWriteset;
    long writesetTreeRoot;
    long eraArrayRoot;
    DiskBitset bitsetInfo;
    BTreeInfo writesetTreeInfo;
    ArrayInfo eraArrayInfo;
    long metadataSnap;
    /** M7: the reviewed code's plain bool. */
    private boolean archivedWritesets;
    /** The same flag published with release/acquire semantics (the fixed path). */
    private volatile boolean archivedWritesetsPublished;
    /** Threads that touched archived_writesets (M7's evidence: which contexts share the flag). */
    private final Set<String> archivedWritesetsAccessors = new LinkedHashSet<>();
    /** M13: what the last unlocked status read of nr_free saw (null until one happened). */
    private volatile TornRead lastUnlockedNrFreeRead;
    /** The tm and the sm are charged to {@link #vmalloc} while they exist (M8, M9). */
    private boolean persistentDataCharged;
    private final byte[] metadataSpaceMapRoot = new byte[SuperblockDisk.SPACE_MAP_ROOT_SIZE];

    private EraMetadata(BlockDevice bdev, long blockSize, Predicate<Defect> live, Scheduler scheduler,
            IoWait ioWait, KernelLog log, Vmalloc vmalloc, boolean strictAlignment) {
        this.bdev = bdev;
        this.scheduler = scheduler;
        this.strictAlignment = strictAlignment;
        this.blockSize = blockSize;
        this.requestedBlockSize = blockSize;
        this.live = live;
        this.ioWait = ioWait;
        this.log = log;
        this.vmalloc = vmalloc;
        this.currentWriteset = new Rcu<>(scheduler, writesets[0]);
        this.era64 = live.test(Defect.M6_ERA_32_64_BIT_MIX) ? new SplitValue64(0, scheduler, "current_era") : null;
    }

    /** metadata_open. */
    public static EraMetadata open(BlockDevice bdev, long blockSize, boolean mayFormat, Predicate<Defect> live,
            Scheduler scheduler, IoWait ioWait, KernelLog log, Vmalloc vmalloc) {
        return open(bdev, blockSize, mayFormat, live, scheduler, ioWait, log, vmalloc, false);
    }

    /** metadata_open on a machine that traps misaligned 64-bit loads when {@code strictAlignment} (M5). */
    public static EraMetadata open(BlockDevice bdev, long blockSize, boolean mayFormat, Predicate<Defect> live,
            Scheduler scheduler, IoWait ioWait, KernelLog log, Vmalloc vmalloc, boolean strictAlignment) {
        EraMetadata md = new EraMetadata(bdev, blockSize, live, scheduler, ioWait, log, vmalloc, strictAlignment);
        md.createPersistentDataObjects(mayFormat);
        return md;
    }

    /**
     * metadata_open again on the same device, with the ctr's arguments, never formatting: what the disk holds
     * now, in a new object with its own block manager (testbed-load-while-active's fix). The caller closes
     * this object afterwards; nothing is written here.
     */
    public EraMetadata reopen() {
        return open(bdev, requestedBlockSize, false, live, scheduler, ioWait, log, vmalloc, strictAlignment);
    }

    /** A misaligned 64-bit load on a strict-alignment CPU: the kernel oopses (the Java form of the trap). */
    public static final class AlignmentFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AlignmentFault(String message) {
            super(message);
        }
    }

    /** M13's evidence: the two halves of one unlocked 64-bit read and the value at each load. */
    public record TornRead(long atLowLoad, long atHighLoad, long composed) {
        /** Whether the worker changed the value between the two loads. */
        public boolean straddled() {
            return atLowLoad != atHighLoad;
        }
    }

    private void err(String message) {
        log.err("era", message);
    }

    // ---------------------------------------------------------------- open, format, close

    private void createPersistentDataObjects(boolean mayFormat) {
        bm = new BlockManager(bdev, ERA_MAX_CONCURRENT_LOCKS, ioWait);
        bm.logTo(log::core);
        try {
            if (superblockAllZeroes()) {
                if (!mayFormat) {
                    throw new MetadataException(Errno.EPERM, "unformatted metadata and formatting not allowed");
                }
                formatMetadata();
            } else {
                openMetadata();
            }
        } catch (MetadataException e) {
            // dm_block_manager_destroy: bufio writes whatever a failed format left dirty (write errors ignored).
            bm.destroy();
            throw e;
        }
    }

    /** The tm and sm exist now: charge them to the allocation ledger. */
    private void chargePersistentData() {
        vmalloc.alloc(TM_OBJECT_BYTES);
        vmalloc.alloc(SM_OBJECT_BYTES);
        persistentDataCharged = true;
    }

    /** dm_sm_destroy + dm_tm_destroy. */
    private void destroySmTm() {
        if (persistentDataCharged) {
            vmalloc.free(SM_OBJECT_BYTES);
            vmalloc.free(TM_OBJECT_BYTES);
            persistentDataCharged = false;
        }
    }

    /** Objects this metadata holds in the allocation ledger (tm and sm while they exist, and the bitsets). */
    public boolean persistentDataAlive() {
        return persistentDataCharged;
    }

    /**
     * superblock_all_zeroes: no validator, it may be all zeroes. M10: the code scans the whole metadata block
     * while LVM zeroes only the first 4 KiB of a new volume; the fixed path scans those 4 KiB. The era metadata
     * block is 4096 bytes, so both scan the same bytes: the review's condition cannot arise.
     */
    private boolean superblockAllZeroes() {
        int scanned = live.test(Defect.M10_ALL_ZEROES_WHOLE_BLOCK) ? bm.blockSize()
                : Math.min(LVM_ZEROED_BYTES, bm.blockSize());
        Block b = bm.readLock(SuperblockDisk.SUPERBLOCK_LOCATION, null);
        try {
            ByteBuffer le = b.le();
            for (int i = 0; i < scanned; i += 8) {
                if (le.getLong(i) != 0) {
                    return false;
                }
            }
            return true;
        } finally {
            bm.unlock(b);
        }
    }

    private void setupInfos() {
        bitsetInfo = new DiskBitset(tm);
        writesetTreeInfo = BTreeInfo.singleLevel(tm, writesetValueType());
        eraArrayInfo = new ArrayInfo(tm, ValueType.plain(4));
    }

    /** The writeset tree's value type: ws_inc, ws_dec, ws_eq. */
    private ValueType writesetValueType() {
        int eqLength = live.test(Defect.WRITESET_EQUAL_SIZE) ? WRITESET_METADATA_SIZEOF : WRITESET_DISK_SIZE;
        return new ValueType(WRITESET_DISK_SIZE,
                (data, off, count) -> {
                    for (int i = 0; i < count; i++) {
                        tm.inc(le(data).getLong(off + i * WRITESET_DISK_SIZE + 4));
                    }
                },
                (data, off, count) -> {
                    for (int i = 0; i < count; i++) {
                        DmBitset.del(bitsetInfo, le(data).getLong(off + i * WRITESET_DISK_SIZE + 4));
                    }
                },
                ValueType.memcmp(eqLength));
    }

    private static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * create_fresh_metadata. M8: the reviewed code returned an error from the btree or array creation without
     * destroying the tm and sm it had created; the merged code destroys them ({@code goto bad}).
     */
    private void createFreshMetadata() {
        tm = DmTransactionManager.createWithSm(bm, SuperblockDisk.SUPERBLOCK_LOCATION);
        sm = tm.spaceMap();
        chargePersistentData();
        setupInfos();
        try {
            try {
                writesetTreeRoot = BTree.empty(writesetTreeInfo);
            } catch (MetadataException e) {
                err("couldn't create new writeset tree");
                throw e;
            }
            try {
                eraArrayRoot = DmArray.empty(eraArrayInfo);
            } catch (MetadataException e) {
                err("couldn't create era array");
                throw e;
            }
        } catch (MetadataException e) {
            if (!live.test(Defect.M8_FRESH_METADATA_LEAK)) {
                destroySmTm();
            }
            throw e;
        }
    }

    private void saveSmRoot() {
        sm.copyRoot(metadataSpaceMapRoot, 0, sm.rootSize());
    }

    /** prepare_superblock: every field, including the static ones. */
    private void prepareSuperblock(ByteBuffer disk) {
        disk.putLong(SuperblockDisk.OFF_MAGIC, SuperblockDisk.SUPERBLOCK_MAGIC);
        disk.putInt(SuperblockDisk.OFF_FLAGS, 0);
        for (int i = 0; i < SuperblockDisk.UUID_LEN; i++) {
            disk.put(SuperblockDisk.OFF_UUID + i, (byte) 0);
        }
        disk.putInt(SuperblockDisk.OFF_VERSION, SuperblockDisk.MAX_ERA_VERSION);
        disk.put(SuperblockDisk.OFF_SM_ROOT, metadataSpaceMapRoot, 0, metadataSpaceMapRoot.length);
        disk.putInt(SuperblockDisk.OFF_DATA_BLOCK_SIZE, (int) blockSize);
        disk.putInt(SuperblockDisk.OFF_METADATA_BLOCK_SIZE, METADATA_BLOCK_SECTORS);
        disk.putInt(SuperblockDisk.OFF_NR_BLOCKS, (int) nrBlocks);
        disk.putInt(SuperblockDisk.OFF_CURRENT_ERA, currentEra);
        WritesetMetadata cur = currentWriteset.dereference().md;
        disk.putInt(SuperblockDisk.OFF_CURRENT_WRITESET, (int) cur.nrBits);
        disk.putLong(SuperblockDisk.OFF_CURRENT_WRITESET + 4, cur.root);
        disk.putLong(SuperblockDisk.OFF_WRITESET_TREE_ROOT, writesetTreeRoot);
        disk.putLong(SuperblockDisk.OFF_ERA_ARRAY_ROOT, eraArrayRoot);
        disk.putLong(SuperblockDisk.OFF_METADATA_SNAP, metadataSnap);
    }

    private void writeSuperblock() {
        if (!live.test(Defect.FORMAT_UNORDERED_COMMIT)) {
            // Make every block the superblock will point at durable first (dm_tm_pre_commit flushes), so a
            // power cut cannot leave a superblock whose space map never reached the disk.
            tm.preCommit();
        }
        saveSmRoot();
        Block sblock = bm.writeLockZero(SuperblockDisk.SUPERBLOCK_LOCATION, SuperblockDisk.VALIDATOR);
        prepareSuperblock(sblock.le());
        tm.commit(sblock);
    }

    /** format_metadata. M9: the reviewed code kept the tm and sm when writing the superblock failed. */
    private void formatMetadata() {
        createFreshMetadata();
        try {
            writeSuperblock();
        } catch (MetadataException e) {
            if (!live.test(Defect.M9_FORMAT_NOT_UNDONE)) {
                destroySmTm();
            }
            throw e;
        }
    }

    private void openMetadata() {
        Block sblock = bm.readLock(SuperblockDisk.SUPERBLOCK_LOCATION, SuperblockDisk.VALIDATOR);
        try {
            ByteBuffer disk = sblock.le();
            long onDiskBlockSize = Integer.toUnsignedLong(disk.getInt(SuperblockDisk.OFF_DATA_BLOCK_SIZE));
            if (onDiskBlockSize != blockSize) {
                if (live.test(Defect.BLOCK_SIZE_CHANGE)) {
                    // c8e846ff: before the fix the on-disk size silently won, while the target kept mapping
                    // bios with the table's block size.
                    blockSize = onDiskBlockSize;
                } else {
                    err("changing the data block size (from " + onDiskBlockSize + " to " + blockSize
                            + ") is not supported");
                    throw new MetadataException(Errno.EINVAL, "changing the data block size is not supported");
                }
            }
            if (live.test(Defect.M5_SM_ROOT_UNALIGNED)) {
                // M5: sm_ll_open_metadata read the root's 64-bit fields in place, at offset 44 of the packed
                // superblock; sm_ll_open_metadata now memcpy's it into an aligned local first (below).
                smRootLoadInPlace(sblock);
            }
            byte[] smRoot = new byte[SuperblockDisk.SPACE_MAP_ROOT_SIZE];
            disk.get(SuperblockDisk.OFF_SM_ROOT, smRoot);
            tm = DmTransactionManager.openWithSm(bm, SuperblockDisk.SUPERBLOCK_LOCATION, smRoot, 0, smRoot.length);
            sm = tm.spaceMap();
            chargePersistentData();
            setupInfos();
            nrBlocks = Integer.toUnsignedLong(disk.getInt(SuperblockDisk.OFF_NR_BLOCKS));
            currentEra = disk.getInt(SuperblockDisk.OFF_CURRENT_ERA);
            if (era64 != null) {
                era64.set(Integer.toUnsignedLong(currentEra));
            }
            if (!live.test(Defect.RECOVER_COMMITTED_WRITESET)) {
                // de89afc1: pick up a writeset committed before a crash, so the first resume archives it.
                WritesetMetadata cur = currentWriteset.dereference().md;
                cur.nrBits = Integer.toUnsignedLong(disk.getInt(SuperblockDisk.OFF_CURRENT_WRITESET));
                cur.root = disk.getLong(SuperblockDisk.OFF_CURRENT_WRITESET + 4);
            }
            writesetTreeRoot = disk.getLong(SuperblockDisk.OFF_WRITESET_TREE_ROOT);
            eraArrayRoot = disk.getLong(SuperblockDisk.OFF_ERA_ARRAY_ROOT);
            metadataSnap = disk.getLong(SuperblockDisk.OFF_METADATA_SNAP);
            setArchivedWritesets(true);
        } finally {
            bm.unlock(sblock);
        }
    }

    /**
     * sm_ll_open_metadata's in-place read of the disk root, as the reviewed code did it: the first of its
     * __le64 fields (nr_blocks) is a 64-bit load at byte 44 of the block, 4 bytes off an 8-byte boundary.
     */
    private void smRootLoadInPlace(Block sblock) {
        int offset = SuperblockDisk.OFF_SM_ROOT;
        if (strictAlignment && offset % Long.BYTES != 0) {
            throw new AlignmentFault("unaligned 64-bit load of metadata_space_map_root at superblock offset "
                    + offset + " (block " + sblock.location() + ")");
        }
        sblock.le().getLong(offset);
    }

    /** metadata_close: free the bitsets (904e6b26: before the fix they were never freed), then destroy_persistent_data_objects. */
    public void close() {
        if (!live.test(Defect.BITSET_LEAK)) {
            writesets[0].free(vmalloc);
            writesets[1].free(vmalloc);
        }
        destroySmTm();
        // dm_block_manager_destroy: bufio writes what is still dirty (9ae6e8b1: the digest's late writes).
        bm.destroy();
    }

    // ---------------------------------------------------------------- writesets

    private long incoreBitsetBytes(long nrBits) {
        return live.test(Defect.M12_BITSET_SIZE_OVERFLOW) ? InCoreBits.bitsetSizeUnchecked32(nrBits)
                : InCoreBits.bitsetSize(nrBits);
    }

    /** writeset_alloc. Before de89afc1 it also reset the on-disk metadata, dropping a recovered writeset. */
    private void writesetAlloc(Writeset ws, long nrBlocks) {
        if (live.test(Defect.RECOVER_COMMITTED_WRITESET)) {
            ws.md.nrBits = nrBlocks;
            ws.md.root = WritesetMetadata.INVALID_WRITESET_ROOT;
        }
        ws.alloc(incoreBitsetBytes(nrBlocks), vmalloc);
    }

    /** writeset_init: wipe the in-core bits, create a new on-disk bitset of nr_blocks bits. */
    private void writesetInit(Writeset ws, long nrBlocks) {
        ws.clearIncore(incoreBitsetBytes(nrBlocks));
        ws.md.nrBits = nrBlocks;
        long root = DmBitset.empty(bitsetInfo);
        ws.md.root = DmBitset.resize(bitsetInfo, root, 0, (int) nrBlocks, false);
    }

    /**
     * writeset_test_and_set: if the in-core bit is clear, set the bit on disk only and return false ("a
     * commit is needed"); the caller sets the in-core bit after the commit.
     */
    public boolean writesetTestAndSet(Writeset ws, long block) {
        if (!ws.marked(bitIndex(block))) {
            ws.md.root = DmBitset.setBit(bitsetInfo, ws.md.root, (int) block);
            return false;
        }
        return true;
    }

    /** writeset_test_and_set before 2099b145: test_and_set_bit sets the in-core bit before the commit. */
    public boolean writesetTestAndSetIncoreFirst(Writeset ws, long block) {
        if (!ws.testAndSetIncore(bitIndex(block))) {
            ws.md.root = DmBitset.setBit(bitsetInfo, ws.md.root, (int) block);
            return false;
        }
        return true;
    }

    /** writeset_marked_on_disk: the bitset was flushed when archived, so its root cannot change. */
    boolean writesetMarkedOnDisk(DiskBitset info, WritesetMetadata m, long block) {
        DmBitset.TestBit r = DmBitset.testBit(info, m.root, (int) block);
        if (r.newRoot() != m.root) {
            throw new IllegalStateException("BUG_ON(m->root != old) in writeset_marked_on_disk");
        }
        return r.value();
    }

    /**
     * The index test_bit / set_bit get for {@code block}: their {@code nr} is an int, so without M11's 2^31 cap
     * a block at or above 2^31 becomes a negative index (memory before the bitmap; here an OutOfBoundsAccess).
     */
    public long bitIndex(long block) {
        return live.test(Defect.M11_TEST_BIT_SIGNED_INDEX) ? (int) block : block;
    }

    // ---------------------------------------------------------------- high level interface

    public boolean validNrBlocks(long n) {
        return live.test(Defect.M11_TEST_BIT_SIGNED_INDEX) ? n < (1L << 32) : n < (1L << 31);
    }

    /** metadata_resize. */
    public void resize(long newSize) {
        if (!validNrBlocks(newSize)) {
            err("Invalid number of origin blocks " + newSize);
            throw new MetadataException(Errno.EINVAL, "Invalid number of origin blocks " + newSize);
        }
        boolean leak = live.test(Defect.BITSET_LEAK);
        if (!leak) {
            writesets[0].free(vmalloc);
            writesets[1].free(vmalloc);
        }
        writesetAlloc(writesets[0], newSize);
        writesetAlloc(writesets[1], newSize);
        // vzalloc may sleep: another task can run here (and a scenario can look at what was allocated).
        scheduler.yieldPoint("metadata_resize: writesets allocated");
        byte[] zero = new byte[4];
        try {
            eraArrayRoot = DmArray.resize(eraArrayInfo, eraArrayRoot, (int) nrBlocks, (int) newSize, zero);
        } catch (MetadataException e) {
            err("metadata_resize: dm_array_resize failed");
            if (!leak) {
                writesets[0].free(vmalloc);
                writesets[1].free(vmalloc);
            }
            throw e;
        }
        nrBlocks = newSize;
    }

    /** metadata_era_archive. */
    public void eraArchive() {
        WritesetMetadata cur = currentWriteset.dereference().md;
        try {
            cur.root = DmBitset.flush(bitsetInfo, cur.root);
        } catch (MetadataException e) {
            err("metadata_era_archive: dm_bitset_flush failed");
            throw e;
        }
        byte[] value = new byte[live.test(Defect.WRITESET_EQUAL_SIZE) ? WRITESET_METADATA_SIZEOF : WRITESET_DISK_SIZE];
        ByteBuffer v = le(value);
        v.putInt(0, (int) cur.nrBits);
        v.putLong(4, cur.root);
        if (value.length > WRITESET_DISK_SIZE) {
            v.putInt(WRITESET_DISK_SIZE, STACK_GARBAGE);
        }
        boolean resetFirst = live.test(Defect.RECOVER_COMMITTED_WRITESET);
        if (resetFirst) {
            // Before de89afc1 the root was dropped before the insert, so a failed insert lost the writeset.
            cur.root = WritesetMetadata.INVALID_WRITESET_ROOT;
        }
        try {
            writesetTreeRoot = BTree.insert(writesetTreeInfo, writesetTreeRoot, eraKey(), value);
        } catch (MetadataException e) {
            err("metadata_era_archive: couldn't insert writeset into btree");
            throw e;
        }
        cur.root = WritesetMetadata.INVALID_WRITESET_ROOT;
        setArchivedWritesets(true);
    }

    /** keys[0] = md->current_era: a u64 key holding the u32 era, or (M6) the whole 64-bit counter. */
    private long eraKey() {
        return era64 != null ? era64.get() : Integer.toUnsignedLong(currentEra);
    }

    private Writeset nextWriteset() {
        return currentWriteset.dereference() == writesets[0] ? writesets[1] : writesets[0];
    }

    /** metadata_new_era. */
    public void newEra() {
        Writeset next = nextWriteset();
        try {
            writesetInit(next, nrBlocks);
        } catch (MetadataException e) {
            err("metadata_new_era: writeset_init failed");
            throw e;
        }
        swapWriteset(next);
        if (era64 != null) {
            // M6: a 64-bit increment on a 32-bit CPU, low word then high word; the superblock keeps 32 bits.
            era64.add(1);
            currentEra = (int) era64.get();
        } else {
            currentEra++;
        }
    }

    /** swap_writeset: publish, then wait until every era_map has picked up the new set. */
    private void swapWriteset(Writeset next) {
        currentWriteset.assign(next);
        currentWriteset.synchronize();
    }

    /** metadata_era_rollover. */
    public void eraRollover() {
        if (currentWriteset.dereference().md.valid()) {
            try {
                eraArchive();
            } catch (MetadataException e) {
                err("metadata_era_rollover: metadata_archive_era failed");
                throw e;
            }
        }
        try {
            newEra();
        } catch (MetadataException e) {
            err("metadata_era_rollover: new era failed");
            throw e;
        }
    }

    /** metadata_current_marked: era_map's lookup, under RCU. */
    public boolean currentMarked(long block) {
        currentWriteset.readLock();
        try {
            return currentWriteset.dereference().marked(bitIndex(block));
        } finally {
            currentWriteset.readUnlock();
        }
    }

    public Writeset currentWriteset() {
        return currentWriteset.dereference();
    }

    /**
     * metadata_commit. With testbed-commit-after-failed-write fixed, a failed commit puts the metadata in
     * fail mode: the transaction it leaves behind may point at blocks whose writes failed (bufio keeps them
     * clean in its cache), so no later commit may write a superblock over the last good one.
     */
    public void commit() {
        if (failed) {
            err("metadata_commit: an earlier commit failed, not committing");
            throw new MetadataException(Errno.EIO, "metadata failed earlier: no commit until the table is loaded again");
        }
        try {
            commitTransaction();
        } catch (MetadataException e) {
            if (!live.test(Defect.COMMIT_AFTER_FAILED_WRITE)) {
                failed = true;
            }
            throw e;
        }
    }

    /** What the kernel's metadata_commit does: flush the bitset cache, commit the space map, superblock last. */
    private void commitTransaction() {
        WritesetMetadata cur = currentWriteset.dereference().md;
        if (cur.valid()) {
            try {
                cur.root = DmBitset.flush(bitsetInfo, cur.root);
            } catch (MetadataException e) {
                err("metadata_commit: bitset flush failed");
                throw e;
            }
        }
        try {
            tm.preCommit();
        } catch (MetadataException e) {
            err("metadata_commit: pre commit failed");
            throw e;
        }
        try {
            saveSmRoot();
        } catch (MetadataException e) {
            err("metadata_commit: save_sm_root failed");
            throw e;
        }
        Block sblock;
        try {
            sblock = bm.writeLock(SuperblockDisk.SUPERBLOCK_LOCATION, SuperblockDisk.VALIDATOR);
        } catch (MetadataException e) {
            err("metadata_commit: superblock lock failed");
            throw e;
        }
        prepareSuperblock(sblock.le());
        tm.commit(sblock);
    }

    /** metadata_checkpoint: always rolls over, whatever the documentation's "possibly" says. */
    public void checkpoint() {
        eraRollover();
    }

    /** metadata_take_snap. */
    public void takeSnap() {
        if (metadataSnap != SuperblockDisk.SUPERBLOCK_LOCATION) {
            err("metadata_take_snap: metadata snapshot already exists");
            throw new MetadataException(Errno.EINVAL, "metadata snapshot already exists");
        }
        try {
            eraRollover();
        } catch (MetadataException e) {
            err("metadata_take_snap: era rollover failed");
            throw e;
        }
        try {
            commit();
        } catch (MetadataException e) {
            err("metadata_take_snap: pre commit failed");
            throw e;
        }
        sm.incBlock(SuperblockDisk.SUPERBLOCK_LOCATION);
        Shadow clone;
        try {
            clone = tm.shadowBlock(SuperblockDisk.SUPERBLOCK_LOCATION, SuperblockDisk.VALIDATOR);
        } catch (MetadataException e) {
            err("metadata_take_snap: couldn't shadow superblock");
            sm.decBlock(SuperblockDisk.SUPERBLOCK_LOCATION);
            throw e;
        }
        if (!clone.incChildren()) {
            throw new IllegalStateException("BUG_ON(!inc) in metadata_take_snap");
        }
        try {
            sm.incBlock(writesetTreeRoot);
        } catch (MetadataException e) {
            err("metadata_take_snap: couldn't inc writeset tree root");
            tm.unlock(clone.block());
            throw e;
        }
        try {
            sm.incBlock(eraArrayRoot);
        } catch (MetadataException e) {
            err("metadata_take_snap: couldn't inc era tree root");
            sm.decBlock(writesetTreeRoot);
            tm.unlock(clone.block());
            throw e;
        }
        metadataSnap = clone.block().location();
        tm.unlock(clone.block());
    }

    /** metadata_drop_snap. */
    public void dropSnap() {
        if (metadataSnap == SuperblockDisk.SUPERBLOCK_LOCATION) {
            err("metadata_drop_snap: no snap to drop");
            throw new MetadataException(Errno.EINVAL, "no snap to drop");
        }
        Block clone;
        try {
            clone = tm.readLock(metadataSnap, SuperblockDisk.VALIDATOR);
        } catch (MetadataException e) {
            err("metadata_drop_snap: couldn't read lock superblock clone");
            throw e;
        }
        // Whatever happens now we'll commit with no record of the metadata snap.
        metadataSnap = SuperblockDisk.SUPERBLOCK_LOCATION;
        ByteBuffer disk = clone.le();
        try {
            BTree.del(writesetTreeInfo, disk.getLong(SuperblockDisk.OFF_WRITESET_TREE_ROOT));
        } catch (MetadataException e) {
            err("metadata_drop_snap: error deleting writeset tree clone");
            tm.unlock(clone);
            throw e;
        }
        try {
            DmArray.del(eraArrayInfo, disk.getLong(SuperblockDisk.OFF_ERA_ARRAY_ROOT));
        } catch (MetadataException e) {
            err("metadata_drop_snap: error deleting era array clone");
            tm.unlock(clone);
            throw e;
        }
        long location = clone.location();
        tm.unlock(clone);
        sm.decBlock(location);
    }

    /** metadata_get_stats: run in the worker, so nothing changes under it. */
    public MetadataStats getStats() {
        long nrFree = sm.getNrFree();
        long nrTotal = sm.getNrBlocks();
        return new MetadataStats(nrTotal - nrFree, nrTotal, metadataSnap, eraForStats());
    }

    /**
     * M13: era_status as reviewed, on the caller's thread with the worker running: dm_sm_get_nr_free's 64-bit
     * result is two 32-bit loads on a 32-bit CPU, and the worker may allocate or free between them. The
     * halves are composed as the CPU would; {@link #lastUnlockedNrFreeRead()} keeps what each load saw.
     */
    public MetadataStats getStatsUnlocked() {
        long atLow = sm.getNrFree();
        long low = atLow & 0xFFFF_FFFFL;
        scheduler.yieldPoint("era_status: nr_free low half loaded");
        long atHigh = sm.getNrFree();
        long nrFree = ((atHigh >>> 32) << 32) | low;
        lastUnlockedNrFreeRead = new TornRead(atLow, atHigh, nrFree);
        long nrTotal = sm.getNrBlocks();
        return new MetadataStats(nrTotal - nrFree, nrTotal, metadataSnap, eraForStats());
    }

    /** Bytes vzalloc'd for the two in-core writeset bitsets now (bitset_size of their nr_bits, as computed). */
    public long incoreBitsetBytes() {
        long n = 0;
        for (Writeset ws : writesets) {
            n += ws.allocatedBytes();
        }
        return n;
    }

    public TornRead lastUnlockedNrFreeRead() {
        return lastUnlockedNrFreeRead;
    }

    /** s->era: the u32 era, or (M6) the 64-bit counter as its two halves are loaded. */
    private long eraForStats() {
        return era64 != null ? era64.get() : Integer.toUnsignedLong(currentEra);
    }

    // ---------------------------------------------------------------- digest

    /** metadata_digest_start: a no-op while a digest runs. */
    public void digestStart(Digest d) {
        if (d.running()) {
            return;
        }
        d.reset();
        if (live.test(Defect.DIGEST_BITSET_CACHE)) {
            // Before 2524933 the bitset cache was initialised once here, not per writeset.
            d.info = new DiskBitset(tm);
        }
    }

    /** md->archived_writesets: M7's plain bool, or the published flag on the fixed path. */
    public boolean archivedWritesets() {
        noteArchivedWritesetsAccess();
        return live.test(Defect.M7_ARCHIVED_WRITESETS_NO_BARRIER) ? archivedWritesets : archivedWritesetsPublished;
    }

    public void setArchivedWritesets(boolean value) {
        noteArchivedWritesetsAccess();
        if (live.test(Defect.M7_ARCHIVED_WRITESETS_NO_BARRIER)) {
            archivedWritesets = value;
        } else {
            archivedWritesetsPublished = value;
        }
    }

    private void noteArchivedWritesetsAccess() {
        synchronized (archivedWritesetsAccessors) {
            archivedWritesetsAccessors.add(Thread.currentThread().getName());
        }
    }

    /** The threads that have read or written archived_writesets, in first-access order. */
    public java.util.List<String> archivedWritesetsAccessors() {
        synchronized (archivedWritesetsAccessors) {
            return java.util.List.copyOf(archivedWritesetsAccessors);
        }
    }

    Predicate<Defect> live() {
        return live;
    }

    public long nrBlocks() {
        return nrBlocks;
    }

    public int currentEra() {
        return currentEra;
    }

    public long metadataSnap() {
        return metadataSnap;
    }

    /**
     * md->writeset_tree_root as the worker last stored it (a plain field, read without synchronisation): what
     * the digest reads after kick_off_digest saw archived_writesets — the stress suite's view of M7.
     */
    public long writesetTreeRoot() {
        return writesetTreeRoot;
    }

    public long blockSize() {
        return blockSize;
    }

    public BlockManager blockManager() {
        return bm;
    }

    public KernelLog log() {
        return log;
    }
}
