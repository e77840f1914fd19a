package org.eratestbed.model.era.target;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.model.dm.DmDev;
import org.eratestbed.model.dm.DmException;
import org.eratestbed.model.dm.DmTarget;
import org.eratestbed.model.dm.Target;
import org.eratestbed.model.dm.TargetType;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.metadata.EraMetadata;
import org.eratestbed.model.kernel.Scheduler;
import org.eratestbed.model.kernel.Vmalloc;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.block.IoWait;

/** The "era" target type: era_ctr, {@code <metadata dev> <origin dev> <block size in sectors>}. */
public final class EraTargetType implements TargetType {
    /** MIN_BLOCK_SIZE: era blocks are whole multiples of 4 KiB. */
    public static final long MIN_BLOCK_SIZE = 8;

    private final Scheduler scheduler;
    private final Predicate<Defect> live;
    private final IoWait ioWait;
    private final Vmalloc vmalloc;
    /**
     * Tables constructed and not yet destroyed, per metadata device: a table constructed while another one
     * exists may read metadata that the other goes on committing over (testbed-load-while-active).
     */
    private final Map<BlockDevice, Integer> tablesOnMetadata = new IdentityHashMap<>();
    /** The model machine's CPU traps misaligned 64-bit loads (review point M5); off by default. */
    private boolean strictAlignment;

    public EraTargetType(Scheduler scheduler, Variant variant, IoWait ioWait, Vmalloc vmalloc) {
        this(scheduler, variant::has, ioWait, vmalloc);
    }

    public EraTargetType(Scheduler scheduler, Predicate<Defect> live, IoWait ioWait, Vmalloc vmalloc) {
        this.scheduler = scheduler;
        this.live = live;
        this.ioWait = ioWait;
        this.vmalloc = vmalloc;
    }

    /** Run on a strict-alignment CPU (review point M5): a misaligned 64-bit load faults. */
    public EraTargetType strictAlignment(boolean on) {
        this.strictAlignment = on;
        return this;
    }

    @Override
    public String name() {
        return "era";
    }

    /** valid_nr_blocks: dm_bitset limits to 2^32, test_bit's signed index further to 2^31 - 1. */
    public static boolean validNrBlocks(long n) {
        return n >= 0 && n < (1L << 31);
    }

    static boolean validBlockSize(long blockSize) {
        return blockSize > 0 && (blockSize & (MIN_BLOCK_SIZE - 1)) == 0;
    }

    @Override
    public Target ctr(DmTarget ti, String[] argv) {
        if (argv.length != 3) {
            throw new DmException(Errno.EINVAL, "Invalid argument count");
        }
        DmDev metadataDev = null;
        DmDev originDev = null;
        try {
            metadataDev = ti.getDevice(argv[0]);
        } catch (DmException e) {
            throw destroyEarly(ti, metadataDev, originDev, "Error opening metadata device");
        }
        try {
            originDev = ti.getDevice(argv[1]);
        } catch (DmException e) {
            throw destroyEarly(ti, metadataDev, originDev, "Error opening data device");
        }
        long blockSize = parseU32(argv[2]);
        if (blockSize < 0) {
            throw destroyEarly(ti, metadataDev, originDev, "Error parsing block size");
        }
        ti.setMaxIoLen(blockSize);
        EraTarget era = new EraTarget(ti, scheduler, live, metadataDev, originDev, blockSize);
        if (!live.test(Defect.M3_ZERO_BLOCK_SIZE) && !validBlockSize(blockSize)) {
            era.destroy();
            throw new DmException(Errno.EINVAL, "Invalid block size");
        }
        EraMetadata md;
        try {
            md = EraMetadata.open(metadataDev.device(), blockSize, true, live, scheduler, ioWait, ti.log(), vmalloc,
                    strictAlignment);
        } catch (MetadataException e) {
            era.destroy();
            throw new DmException(e.errno(), "Error reading metadata");
        }
        if (live.test(Defect.RESIZE_IN_PRERESUME)) {
            // Before cca2c6ae the ctr resized the metadata, although the table it builds may never be resumed.
            long nrBlocks = era.calcNrBlocks();
            try {
                md.resize(nrBlocks);
            } catch (MetadataException e) {
                era.setMetadata(md); // era->md is set before the resize; the workqueue does not exist yet
                era.destroy();
                throw new DmException(Errno.ENOMEM, "couldn't resize metadata");
            }
            era.setNrBlocks(nrBlocks);
        }
        era.attach(md);
        BlockDevice mdev = metadataDev.device();
        era.registered(registerTable(mdev), () -> unregisterTable(mdev));
        ti.setNumFlushBios(1);
        ti.setFlushSupported(true);
        ti.setNumDiscardBios(1);
        return era;
    }

    /** Counts a constructed table; true when another table on the same metadata device exists. */
    private synchronized boolean registerTable(BlockDevice mdev) {
        return tablesOnMetadata.merge(mdev, 1, Integer::sum) > 1;
    }

    private synchronized void unregisterTable(BlockDevice mdev) {
        tablesOnMetadata.computeIfPresent(mdev, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Every ctr failure path calls era_destroy on the kzalloc'd era, even before metadata_open: here on an era
     * with what has been filled in so far (M2: the reviewed destroy closed era->md without checking it).
     */
    private DmException destroyEarly(DmTarget ti, DmDev metadataDev, DmDev originDev, String error) {
        new EraTarget(ti, scheduler, live, metadataDev, originDev, 0).destroy();
        return new DmException(Errno.EINVAL, error);
    }

    /** sscanf("%u%c"): an unsigned decimal and nothing after it; -1 when it does not parse. */
    static long parseU32(String s) {
        if (!s.matches("[+-]?[0-9]+")) {
            return -1;
        }
        boolean negative = s.startsWith("-");
        String digits = s.replaceFirst("^[+-]", "");
        java.math.BigInteger v = new java.math.BigInteger(digits);
        if (v.bitLength() > 64) {
            v = java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE);
        }
        long value = v.longValue();
        if (negative) {
            value = -value;
        }
        return value & 0xFFFF_FFFFL;
    }
}
