package org.eratestbed.model.pdata.block;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

import org.eratestbed.device.Bio;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/**
 * The kernel's dm-block-manager over dm-bufio: 4 KiB metadata blocks of a {@link BlockDevice}, held in a
 * write-back cache, handed out under read or write locks, checked by a {@link BlockValidator} when first
 * read from the device and stamped by it when written out.
 *
 * <p><b>Write-out order.</b> A write-locked block becomes dirty when it is unlocked. Dirty blocks stay in
 * the cache (reads see them) and reach the device only in {@link #flush()}, which is dm_bm_flush =
 * dm_bufio_write_dirty_buffers: every dirty block is written (submitted together, in ascending block
 * order, so they are in flight at once and a device may complete them in any order), all writes are
 * awaited, and then one FLUSH is issued. The transaction manager's commit therefore produces
 * {@code W(all but the superblock) FLUSH W(superblock) FLUSH} (pre_commit flush, then commit flush);
 * {@link #flushAndUnlock(Block)} produces the same sequence in one call. The model never writes a dirty
 * block early (bufio may, when dirty buffers outnumber clean ones by its writeback ratio); an early write
 * of a block of the running transaction is harmless because it is never reachable from the committed
 * superblock. {@link #destroy()} writes what is still dirty, without a FLUSH, as bufio does at teardown.
 *
 * <p><b>Errors.</b> A failed read is MetadataException(EIO) and nothing is cached. A failed write is
 * reported by the flush that issued it as EIO after the FLUSH has still been sent; like bufio, the block is
 * then clean in the cache although the device does not hold it, and keeps its write error: the next lock
 * still sees the cached data, but when that lock is released (dm_bufio_release) a clean buffer with an error
 * is dropped, so the lock after that reads what the device holds and validates it (the real kernel then
 * fails every later commit that touches the block with a checksum or blocknr error; seen on Debian's 6.1 over
 * an NBD export with one failed write). A successful rewrite clears the error. A validator failure is the validator's
 * errno (ENOTBLK, EILSEQ); the data stays cached and is checked again at the next lock. Locking a cached
 * block with a different validator than it was checked with is EINVAL, as in the kernel.
 *
 * <p><b>Lock discipline.</b> What the kernel's CONFIG_DM_DEBUG_BLOCK_MANAGER_LOCKING reports, the model
 * treats as a bug in the caller and throws IllegalStateException: write-locking a block that is already
 * locked, read-locking a write-locked block, unlocking a block that is not locked, holding an absurd
 * number of locks at once (a leak; {@code maxHeldLocks}, dm-era's ERA_MAX_CONCURRENT_LOCKS = 5, only sizes
 * the kernel's bufio reserve), or flushing while a block is write-locked. Several read locks on one block are allowed.
 *
 * <p>The device may complete bios on any thread, inside or after submit: every wait goes through
 * {@link IoWait} (a latch by default). Methods hold the block manager's lock (dm_bufio_lock), a sleeping
 * lock that {@link IoWait#newLock()} supplies, so one block manager may be used from
 * several threads, though persistent-data assumes a single mutator like the kernel.
 */
public final class BlockManager {
    public static final int BLOCK_SIZE = 4096;
    public static final int SECTORS_PER_BLOCK = BLOCK_SIZE / BlockDevice.SECTOR_SIZE;

    private final BlockDevice device;
    private final long nrBlocks;
    private final int maxHeldLocks;
    /** Far above any legitimate nesting of the persistent-data code. */
    static final int LOCK_LEAK_GUARD = 64;
    private final IoWait ioWait;
    /**
     * dm-bufio's mutex. Not a Java monitor: an actor of a deterministic scheduler that waits for I/O while
     * holding it must let another actor that wants it wait through the scheduler too.
     */
    private final java.util.concurrent.locks.Lock lock;
    private final Map<Long, Buffer> cache = new HashMap<>();
    /** Where DMERR lines go (the model's dmesg); nowhere until {@link #logTo} is called. */
    private java.util.function.Consumer<String> dmerr = m -> { };
    /** Locations of the dirty buffers, so a flush need not scan the whole cache. */
    private final TreeSet<Long> dirty = new TreeSet<>();
    private int heldLocks;
    private int writeLocked;
    private boolean destroyed;
    private boolean readOnly;
    private long reads;
    private long writes;
    private long flushes;

    /** aux data of a bufio buffer: the validator it was checked with and its lock state. */
    private static final class Buffer {
        final Block block;
        BlockValidator validator;
        int readers;
        boolean writeLocked;
        /** bufio's b->write_error: the last write of this buffer failed. */
        boolean writeError;

        Buffer(Block block) {
            this.block = block;
        }
    }

    /** dm_block_manager_create(bdev, 4096, maxHeldLocks), waiting for I/O on a latch. */
    public BlockManager(BlockDevice device, int maxHeldLocks) {
        this(device, maxHeldLocks, IoWait.LATCH);
    }

    public BlockManager(BlockDevice device, int maxHeldLocks, IoWait ioWait) {
        if (maxHeldLocks < 1) {
            throw new IllegalArgumentException("maxHeldLocks must be positive: " + maxHeldLocks);
        }
        this.device = device;
        this.nrBlocks = device.sizeSectors() / SECTORS_PER_BLOCK;
        this.maxHeldLocks = maxHeldLocks;
        this.ioWait = ioWait;
        this.lock = ioWait.newLock();
    }

    public BlockDevice device() {
        return device;
    }

    /** dm_bm_block_size. */
    public int blockSize() {
        return BLOCK_SIZE;
    }

    /** dm_bm_nr_blocks: whole 4 KiB blocks on the device. */
    public long nrBlocks() {
        return nrBlocks;
    }

    public boolean isReadOnly() {
        lock.lock();
        try {
            return readOnly;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_set_read_only: later write locks and flushes fail with EPERM. */
    public void setReadOnly() {
        lock.lock();
        try {
            readOnly = true;
        } finally {
            lock.unlock();
        }
    }

    public void setReadWrite() {
        lock.lock();
        try {
            readOnly = false;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_read_lock. A {@code null} validator reads without checking (era's superblock_all_zeroes). */
    public Block readLock(long location, BlockValidator validator) {
        lock.lock();
        try {
            reserveLock(location);
            Buffer buf = read(location);
            if (buf.writeLocked) {
                throw new IllegalStateException("block " + location + " read-locked while write-locked");
            }
            validate(buf, validator);
            buf.readers++;
            heldLocks++;
            return buf.block;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_write_lock: the block's current contents (cached or read), write-locked. */
    public Block writeLock(long location, BlockValidator validator) {
        lock.lock();
        try {
            checkWritable();
            reserveLock(location);
            Buffer buf = read(location);
            checkUnlocked(buf);
            validate(buf, validator);
            buf.writeLocked = true;
            writeLocked++;
            heldLocks++;
            return buf.block;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_write_lock_zero: a zeroed, write-locked block, never read from the device. */
    public Block writeLockZero(long location, BlockValidator validator) {
        lock.lock();
        try {
            checkWritable();
            reserveLock(location);
            Buffer buf = cache.get(location);
            if (buf == null) {
                buf = new Buffer(new Block(location, new byte[BLOCK_SIZE]));
                cache.put(location, buf);
            } else {
                checkUnlocked(buf);
                Arrays.fill(buf.block.data(), (byte) 0);
            }
            buf.validator = validator;
            buf.writeLocked = true;
            writeLocked++;
            heldLocks++;
            return buf.block;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_unlock: a write-locked block becomes dirty. */
    public void unlock(Block block) {
        lock.lock();
        try {
            unlockHeld(block);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #unlock} with the block manager's lock already held (it is not reentrant, as bufio's is not). */
    private void unlockHeld(Block block) {
        Buffer buf = cache.get(block.location());
        if (buf == null || buf.block != block || (!buf.writeLocked && buf.readers == 0)) {
            throw new IllegalStateException("unlock of " + block + ", which is not locked");
        }
        if (buf.writeLocked) {
            buf.writeLocked = false;
            writeLocked--;
            dirty.add(block.location());
        } else {
            buf.readers--;
            if (buf.readers == 0 && buf.writeError && !dirty.contains(block.location())) {
                // "There is no point in caching invalid buffer": the next lock reads the device.
                cache.remove(block.location());
            }
        }
        heldLocks--;
    }

    /** dm_bm_flush: write every dirty block, wait, then FLUSH (see the class comment). */
    public void flush() {
        lock.lock();
        try {
            checkWritable();
            checkNoWriteLocksBut(null);
            writeDirtyThenFlush(-1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pre-2014 dm_bm_flush_and_unlock(superblock): write every other dirty block, FLUSH, then unlock
     * and write the superblock, FLUSH again. The superblock reaches the device only after everything it
     * may point to is durable.
     */
    public void flushAndUnlock(Block superblock) {
        lock.lock();
        try {
            checkWritable();
            Buffer sb = cache.get(superblock.location());
            if (sb == null || sb.block != superblock || !sb.writeLocked) {
                throw new IllegalStateException("flushAndUnlock of " + superblock + ", which is not write-locked");
            }
            checkNoWriteLocksBut(sb);
            writeDirtyThenFlush(superblock.location());
            unlockHeld(superblock);
            writeDirtyThenFlush(-1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * dm_block_manager_destroy = dm_bufio_client_destroy: bufio's drop_buffers writes every dirty block
     * (dm_bufio_write_dirty_buffers_async, no FLUSH) and waits for the writes before freeing the cache; write
     * errors are not reported. So whatever a transaction left dirty and uncommitted still reaches the device
     * when a target instance is torn down (dm-era.md scenario 5). A lock still held is the kernel's
     * "leaked buffer" warning, here IllegalStateException. The block manager cannot be used afterwards.
     */
    public void destroy() {
        lock.lock();
        try {
            checkNotDestroyed();
            if (heldLocks > 0) {
                throw new IllegalStateException("leaked buffers: " + heldLocks + " metadata locks still held at destroy");
            }
            List<Long> locations = new ArrayList<>(dirty);
            List<Bio> bios = new ArrayList<>(locations.size());
            CountDownLatch done = new CountDownLatch(locations.size());
            for (long location : locations) {
                bios.add(writeBio(location, done));
            }
            for (Bio bio : bios) {
                writes++;
                device.submit(bio);
            }
            await(bios, done);
            cache.clear();
            destroyed = true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isDestroyed() {
        lock.lock();
        try {
            return destroyed;
        } finally {
            lock.unlock();
        }
    }

    /** Metadata I/O issued so far. */
    public IoStats ioStats() {
        lock.lock();
        try {
            return new IoStats(reads, writes, flushes);
        } finally {
            lock.unlock();
        }
    }

    /** Locks currently held (for tests and leak checks). */
    public int heldLocks() {
        lock.lock();
        try {
            return heldLocks;
        } finally {
            lock.unlock();
        }
    }

    public boolean isDirty(long location) {
        lock.lock();
        try {
            return dirty.contains(location);
        } finally {
            lock.unlock();
        }
    }

    /** Locations of the dirty blocks, ascending. */
    public List<Long> dirtyBlocks() {
        lock.lock();
        try {
            return new ArrayList<>(dirty);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException(this + " was destroyed");
        }
    }

    private void checkWritable() {
        checkNotDestroyed();
        if (readOnly) {
            throw new MetadataException(Errno.EPERM, "block manager is read-only");
        }
    }

    private void reserveLock(long location) {
        checkNotDestroyed();
        if (location < 0 || location >= nrBlocks) {
            throw new MetadataException(Errno.EIO, "metadata block " + location + " is past the end of "
                    + device.name() + " (" + nrBlocks + " blocks)");
        }
        // max_held_per_thread only sizes dm-bufio's reserve in the kernel, it is no limit: a drop of a
        // snapshot with a two-level writeset tree legitimately holds 6-7 blocks with era's 5. The bound
        // here only catches a lock leak in the model.
        if (heldLocks >= LOCK_LEAK_GUARD) {
            throw new IllegalStateException("locking block " + location + " would hold more than " + LOCK_LEAK_GUARD
                    + " metadata blocks at once (reserve " + maxHeldLocks + "): a lock leak");
        }
    }

    private void checkNoWriteLocksBut(Buffer allowed) {
        if (writeLocked > (allowed == null ? 0 : 1)) {
            for (Buffer buf : cache.values()) {
                if (buf.writeLocked && buf != allowed) {
                    throw new IllegalStateException("flush while " + buf.block + " is write-locked");
                }
            }
        }
    }

    private static void checkUnlocked(Buffer buf) {
        if (buf.writeLocked || buf.readers > 0) {
            throw new IllegalStateException(buf.block + " write-locked while already "
                    + (buf.writeLocked ? "write" : "read") + "-locked");
        }
    }

    /**
     * Sends the kernel's log lines of failed block checks to {@code sink}, without "device-mapper: ": the
     * check's own ("btree spine: node_check failed: ...") and dm_bm_validate_buffer's.
     */
    public void logTo(java.util.function.Consumer<String> sink) {
        lock.lock();
        try {
            this.dmerr = sink;
        } finally {
            lock.unlock();
        }
    }

    /** dm_bm_validate_buffer. */
    private void validate(Buffer buf, BlockValidator validator) {
        if (buf.validator == null) {
            if (validator == null) {
                return;
            }
            try {
                validator.check(buf.block);
            } catch (MetadataException e) {
                if (validator.logPrefix() != null) {
                    dmerr.accept(validator.logPrefix() + ": " + e.getMessage());
                }
                dmerr.accept("block manager: " + validator.name() + " validator check failed for block "
                        + buf.block.location());
                throw e;
            }
            buf.validator = validator;
        } else if (buf.validator != validator) {
            throw new MetadataException(Errno.EINVAL, "validator mismatch (old=" + buf.validator.name() + " vs new="
                    + (validator == null ? "NULL" : validator.name()) + ") for " + buf.block);
        }
    }

    /** dm_bufio_read: the cached buffer, or a synchronous read of the device. */
    private Buffer read(long location) {
        Buffer buf = cache.get(location);
        if (buf != null) {
            return buf;
        }
        byte[] data = new byte[BLOCK_SIZE];
        CountDownLatch done = new CountDownLatch(1);
        Bio bio = Bio.read(location * SECTORS_PER_BLOCK, data, b -> done.countDown());
        reads++;
        device.submit(bio);
        await(List.of(bio), done);
        if (!bio.status().ok()) {
            throw new MetadataException(Errno.EIO, "read of metadata block " + location + " failed: " + bio.status());
        }
        buf = new Buffer(new Block(location, data));
        cache.put(location, buf);
        return buf;
    }

    /** dm_bufio_write_dirty_buffers, optionally leaving one (write-locked) block for later. */
    private void writeDirtyThenFlush(long skip) {
        List<Long> locations = new ArrayList<>(dirty);
        locations.remove(Long.valueOf(skip));
        List<Bio> bios = new ArrayList<>(locations.size());
        CountDownLatch done = new CountDownLatch(locations.size());
        for (long location : locations) {
            bios.add(writeBio(location, done));
        }
        for (Bio bio : bios) {
            writes++;
            device.submit(bio);
        }
        await(bios, done);
        Bio failed = null;
        for (Bio bio : bios) {
            Buffer buf = cache.get(bio.sector() / SECTORS_PER_BLOCK);
            if (buf != null) {
                buf.writeError = !bio.status().ok();
            }
            if (!bio.status().ok() && failed == null) {
                failed = bio;
            }
        }
        CountDownLatch flushed = new CountDownLatch(1);
        Bio flush = Bio.flush(b -> flushed.countDown());
        flushes++;
        device.submit(flush);
        await(List.of(flush), flushed);
        if (failed != null) {
            throw new MetadataException(Errno.EIO, "write of metadata block " + failed.sector() / SECTORS_PER_BLOCK
                    + " failed: " + failed.status());
        }
        if (!flush.status().ok()) {
            throw new MetadataException(Errno.EIO, "flush of " + device.name() + " failed: " + flush.status());
        }
    }

    /** bufio's write callback (prepare_for_write stamps the cached buffer) and a snapshot of it for the bio. */
    private Bio writeBio(long location, CountDownLatch done) {
        Buffer buf = cache.get(location);
        if (buf.validator != null) {
            buf.validator.prepareForWrite(buf.block);
        }
        dirty.remove(location);
        return Bio.write(location * SECTORS_PER_BLOCK, buf.block.data().clone(), false, b -> done.countDown());
    }

    private void await(List<Bio> bios, CountDownLatch done) {
        try {
            ioWait.await(bios, done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataException(Errno.EIO, "interrupted while waiting for metadata I/O", e);
        }
        if (done.getCount() != 0) {
            throw new IllegalStateException("IoWait returned before all bios completed: " + bios);
        }
    }

    @Override
    public String toString() {
        return "BlockManager(" + device.name() + ", " + nrBlocks + " blocks)";
    }
}
