package org.eratestbed.model.dm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eratestbed.device.BadInputException;
import org.eratestbed.device.Bio;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.device.IoStatus;
import org.eratestbed.model.kernel.Mutex;
import org.eratestbed.model.kernel.Rcu;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.pdata.Errno;

/**
 * The parts of device-mapper core (struct mapped_device, dm.c, dm-ioctl.c) that dm-era's behaviour depends
 * on: a live and an inactive table; load, suspend, resume (with the table swap) and remove in the kernel's
 * order; bios split at {@code max_io_len} and handed to the target's map; in-flight accounting, so suspend
 * waits for every bio that has entered; bios that arrive while suspended are held and resubmitted on resume;
 * and the live table read under the {@code io_barrier} SRCU, so a status or message that blocks inside the
 * target also blocks a table swap — the 2023 deadlock.
 *
 * <p>It is also a {@link BlockDevice}: users submit bios to it as to {@code /dev/mapper/era0}.
 */
public final class MappedDevice implements BlockDevice {
    /** A constructed table (one target: dm-era tables have one line). */
    public record Table(String line, DmTarget ti, Target target) {
    }

    private final String name;
    private final String devT;
    private final Scheduler scheduler;
    private final DeviceRegistry devices;
    private final KernelLog log;
    private final Map<String, TargetType> types;
    /** md->map under md->io_barrier. */
    private final Rcu<Table> map;
    private Table inactive;
    private volatile boolean suspended = true;
    private volatile boolean blockIo = true;
    private final AtomicInteger pending = new AtomicInteger();
    private final List<Bio> held = new ArrayList<>();
    /**
     * Whether dm core splits a discard at max_io_len. In 6.1 it does so only for targets that set
     * max_discard_granularity, which dm-era does not (reference, section 1, "map", observation): off by
     * default, so a multi-block discard reaches era_map whole.
     */
    private boolean splitDiscards;
    /** md->suspend_lock: suspend, resume (with its table swap) and remove never overlap. */
    private final Mutex suspendLock;
    /**
     * dmsetup remove destroys the mapped device itself, not only its tables: until the next create, every ioctl
     * naming it fails with ENXIO (dmsetup: "Device does not exist."), not with an error about a missing table.
     */
    private volatile boolean removed;

    public MappedDevice(String name, String devT, Scheduler scheduler, DeviceRegistry devices, KernelLog log,
            Map<String, TargetType> types) {
        this.name = name;
        this.devT = devT;
        this.scheduler = scheduler;
        this.devices = devices;
        this.log = log;
        this.types = Map.copyOf(types);
        this.map = new Rcu<>(scheduler, null);
        this.suspendLock = new Mutex(scheduler, name + " suspend_lock");
    }

    public void setSplitDiscards(boolean split) {
        this.splitDiscards = split;
    }

    @Override
    public String name() {
        return name;
    }

    public KernelLog log() {
        return log;
    }

    public boolean suspended() {
        return suspended;
    }

    public boolean hasInactiveTable() {
        return inactive != null;
    }

    /** The live table's target, or null before the first resume. */
    public Target liveTarget() {
        Table t = map.dereference();
        return t == null ? null : t.target();
    }

    @Override
    public long sizeSectors() {
        Table t = map.dereference();
        return t == null ? 0 : t.ti().len();
    }

    /**
     * dmsetup load: constructs the table into the inactive slot (destroying an earlier inactive one).
     * A constructor error is logged the kernel's way and thrown as the ioctl's error.
     */
    public void load(String line) {
        String[] w = line.trim().split("\\s+");
        if (w.length < 3) {
            throw new DmException(Errno.EINVAL, "table line needs <start> <length> <target type> [args]");
        }
        long start;
        long len;
        try {
            start = Long.parseLong(w[0]);
            len = Long.parseLong(w[1]);
        } catch (NumberFormatException e) {
            throw new DmException(Errno.EINVAL, "invalid start or length in table line '" + line + "'");
        }
        if (start != 0 || len <= 0) {
            throw new DmException(Errno.EINVAL, "the model takes one target starting at sector 0 with a positive length");
        }
        TargetType type = types.get(w[2]);
        if (type == null) {
            log.core("table: " + devT + ": " + w[2] + ": unknown target type");
            throw new DmException(Errno.EINVAL, "unknown target type " + w[2]);
        }
        DmTarget ti = new DmTarget(start, len, devices, log);
        Target target;
        try {
            target = type.ctr(ti, Arrays.copyOfRange(w, 3, w.length));
        } catch (DmException e) {
            // dm_table_add_target prints the error with %pe: its symbolic name (CONFIG_SYMBOLIC_ERRNAME, as Debian's)
            log.core("table: " + devT + ": " + type.name() + ": " + e.getMessage() + " (-" + e.errno().name() + ")");
            log.core("ioctl: error adding target to table");
            throw e;
        }
        if (inactive != null) {
            inactive.target().dtr();
        }
        inactive = new Table(line, ti, target);
    }

    /** dmsetup clear: drops the inactive table. */
    public void clear() {
        if (inactive != null) {
            inactive.target().dtr();
            inactive = null;
        }
    }

    /** dm_suspend: presuspend, hold new I/O, wait for every bio in flight, postsuspend. A no-op if suspended. */
    public void suspend() {
        requireDevice();
        suspendLock.lock();
        try {
            doSuspend();
        } finally {
            suspendLock.unlock();
        }
    }

    private void doSuspend() {
        if (suspended) {
            return;
        }
        Table live = map.dereference();
        live.target().presuspend();
        blockIo = true;
        map.synchronize();
        scheduler.await("in-flight I/O of " + name + " to complete", () -> pending.get() == 0);
        suspended = true;
        live.target().postsuspend();
    }

    /**
     * dmsetup resume: swaps in the inactive table if there is one (suspending first, as do_resume does),
     * then resumes: preresume (an error leaves the device suspended), release held I/O.
     */
    public void resume() {
        requireDevice();
        suspendLock.lock();
        try {
            doResume();
        } finally {
            suspendLock.unlock();
        }
    }

    private void doResume() {
        if (inactive != null) {
            if (!suspended && map.dereference() != null) {
                doSuspend();
            }
            Table old = map.dereference();
            map.assign(inactive);
            inactive = null;
            // dm_sync_table: waits for every reader of the old table, a blocked status or message included.
            map.synchronize();
            if (old != null) {
                old.target().dtr();
                // do_resume releases md->suspend_lock between dm_swap_table and dm_resume, and target_message
                // takes neither it nor anything the resume holds: a message or status can reach the new table,
                // live now, before its preresume (testbed-message-before-preresume).
                scheduler.yieldPoint("do_resume: table swapped, preresume not run yet");
            }
        }
        if (!suspended) {
            return;
        }
        Table live = map.dereference();
        if (live == null) {
            throw new DmException(Errno.EINVAL, "no table to resume");
        }
        try {
            live.target().preresume();
        } catch (DmException e) {
            // dm_table_resume_targets' DMERR
            log.core("table: " + devT + ": " + live.line().trim().split("\\s+")[2] + ": preresume failed, error = -"
                    + e.errno().value());
            throw e;
        }
        suspended = false;
        blockIo = false;
        live.target().resume();
        List<Bio> again;
        synchronized (held) {
            again = new ArrayList<>(held);
            held.clear();
        }
        for (Bio bio : again) {
            if (bio.op() != BioOp.FLUSH && bio.sector() + bio.sectors() > live.ti().len()) {
                // A bio held across a shrink that now ends past the table: dm_table_find_target finds no
                // target for it when the queue is flushed, and __split_and_process_bio fails it with
                // BLK_STS_IOERR (a fresh submit past the end is refused earlier, by the block layer).
                bio.complete(IoStatus.IOERR);
                scheduler.signalAll();
                continue;
            }
            submit(bio);
        }
    }

    /** dmsetup create: load, then resume; a failed load leaves no device behind. */
    public void create(String line) {
        boolean fresh = removed || (map.dereference() == null && inactive == null);
        if (!fresh) {
            createOnExisting(line);
            return;
        }
        removed = false;
        // libdevmapper's _create_and_load_v4: when the table load or the resume fails, it reverts the
        // creation with a remove, so the device is gone and the next dmsetup call says it does not exist.
        try {
            load(line);
        } catch (DmException e) {
            remove();
            throw e.inIoctl("reload");
        }
        try {
            resume();
        } catch (DmException e) {
            remove();
            throw e.inIoctl("resume");
        }
    }

    /** The model's create of a name that already has a table: load and resume, with no revert. */
    private void createOnExisting(String line) {
        load(line);
        resume();
    }

    /** dmsetup remove: suspends the live table's targets if it runs (presuspend, postsuspend), destroys both tables. */
    public void remove() {
        requireDevice();
        suspendLock.lock();
        try {
            doRemove();
        } finally {
            suspendLock.unlock();
        }
    }

    private void doRemove() {
        Table live = map.dereference();
        if (live != null && !suspended) {
            live.target().presuspend();
            blockIo = true;
            scheduler.await("in-flight I/O of " + name + " to complete", () -> pending.get() == 0);
            suspended = true;
            live.target().postsuspend();
        }
        map.assign(null);
        map.synchronize();
        if (live != null) {
            live.target().dtr();
        }
        clear();
        removed = true;
    }

    /** dmsetup status (INFO) or table (TABLE): read under io_barrier, like table_status. */
    public String status(StatusType type) {
        requireDevice();
        map.readLock();
        try {
            Table t = map.dereference();
            if (t == null) {
                throw new DmException(Errno.EINVAL, "no live table");
            }
            return t.ti().begin() + " " + t.ti().len() + " " + t.line().trim().split("\\s+")[2] + " "
                    + t.target().status(type);
        } finally {
            map.readUnlock();
        }
    }

    /** dmsetup message: read under io_barrier, like target_message. */
    public void message(String text) {
        requireDevice();
        map.readLock();
        try {
            Table t = map.dereference();
            if (t == null) {
                throw new DmException(Errno.EINVAL, "no live table");
            }
            String[] argv = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
            t.target().message(argv);
        } finally {
            map.readUnlock();
        }
    }

    /** Whether dmsetup remove has destroyed the device (and no create made it again). */
    public boolean removed() {
        return removed;
    }

    private void requireDevice() {
        if (removed) {
            throw new DmException(Errno.ENXIO, "device " + name + " does not exist");
        }
    }

    /** Bios in flight through the device (entered, not yet completed). */
    public int pending() {
        return pending.get();
    }

    @Override
    public void submit(Bio bio) {
        map.readLock();
        try {
            Table t = map.dereference();
            if (t == null) {
                throw new BadInputException(name + " has no live table");
            }
            bio.validate(t.ti().len());
            if (blockIo) {
                synchronized (held) {
                    held.add(bio);
                }
                return;
            }
            pending.incrementAndGet();
            process(t, bio);
        } finally {
            map.readUnlock();
        }
    }

    private void process(Table t, Bio bio) {
        if (bio.op() == BioOp.FLUSH || bio.preflush()) {
            // __send_empty_flush: the flush goes first; a write's data follows once the flush completed.
            Aggregate flush = new Aggregate(Math.max(1, t.ti().numFlushBios()), status -> {
                if (bio.op() == BioOp.WRITE && status.ok()) {
                    splitAndMap(t, bio, true);
                } else {
                    finish(bio, status);
                }
            });
            for (int i = 0; i < Math.max(1, t.ti().numFlushBios()); i++) {
                DmBio[] self = new DmBio[1];
                self[0] = new DmBio(BioOp.FLUSH, 0, 0, null, false, true, status -> {
                    t.target().endIo(self[0], status);
                    flush.end(status);
                });
                mapClone(t, self[0]);
            }
            return;
        }
        splitAndMap(t, bio, false);
    }

    private void splitAndMap(Table t, Bio bio, boolean afterFlush) {
        long maxIo = t.ti().maxIoLen();
        boolean split = maxIo > 0 && (bio.op() != BioOp.DISCARD || splitDiscards);
        List<long[]> pieces = new ArrayList<>();
        long sector = bio.sector();
        long end = bio.sector() + bio.sectors();
        while (sector < end) {
            long next = split ? Math.min(end, (sector / maxIo + 1) * maxIo) : end;
            pieces.add(new long[] {sector, next - sector});
            sector = next;
        }
        Aggregate all = new Aggregate(pieces.size(), status -> finish(bio, status));
        for (long[] p : pieces) {
            int off = (int) ((p[0] - bio.sector()) << SECTOR_SHIFT);
            int len = (int) (p[1] << SECTOR_SHIFT);
            byte[] data = null;
            if (bio.op() == BioOp.WRITE) {
                data = Arrays.copyOfRange(bio.data(), off, off + len);
            } else if (bio.op() == BioOp.READ) {
                data = new byte[len];
            }
            byte[] slice = data;
            DmBio[] self = new DmBio[1];
            self[0] = new DmBio(bio.op(), p[0], (int) p[1], data, bio.fua(), false, status -> {
                t.target().endIo(self[0], status);
                if (bio.op() == BioOp.READ && status.ok()) {
                    System.arraycopy(slice, 0, bio.data(), off, len);
                }
                all.end(status);
            });
            mapClone(t, self[0]);
        }
        if (afterFlush) {
            scheduler.signalAll();
        }
    }

    private void mapClone(Table t, DmBio clone) {
        scheduler.yieldPoint("dm: " + clone + " before map");
        MapResult r = t.target().map(clone);
        switch (r) {
            case REMAPPED -> {
                // The clone has been remapped but not issued yet: a window in which the target's state can
                // change under it (review point M1).
                scheduler.yieldPoint("dm: " + clone + " remapped, before issue");
                clone.submit();
            }
            case KILL -> clone.end(IoStatus.IOERR);
            case SUBMITTED -> {
            }
        }
    }

    private void finish(Bio bio, IoStatus status) {
        pending.decrementAndGet();
        bio.complete(status);
        scheduler.signalAll();
    }

    /** Ends the user's bio once every piece has ended; the first error wins. */
    private static final class Aggregate {
        private int left;
        private IoStatus status = IoStatus.OK;
        private final java.util.function.Consumer<IoStatus> done;

        Aggregate(int pieces, java.util.function.Consumer<IoStatus> done) {
            this.left = pieces;
            this.done = done;
        }

        void end(IoStatus s) {
            IoStatus result;
            synchronized (this) {
                if (status.ok() && !s.ok()) {
                    status = s;
                }
                if (--left > 0) {
                    return;
                }
                result = status;
            }
            done.accept(result);
        }
    }
}
