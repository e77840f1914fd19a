package org.eratestbed.model.dm;

/**
 * struct dm_target: what dm core knows of one target of a table, and what the constructor sets for it
 * (max_io_len, num_flush_bios, num_discard_bios, flush_supported).
 */
public final class DmTarget {
    private final long begin;
    private final long len;
    private final DeviceRegistry devices;
    private final KernelLog log;
    private long maxIoLen;
    private int numFlushBios;
    private int numDiscardBios;
    private boolean flushSupported;

    public DmTarget(long begin, long len, DeviceRegistry devices, KernelLog log) {
        this.begin = begin;
        this.len = len;
        this.devices = devices;
        this.log = log;
    }

    public long begin() {
        return begin;
    }

    /** ti->len in sectors. */
    public long len() {
        return len;
    }

    public DmDev getDevice(String path) {
        return devices.get(path);
    }

    public KernelLog log() {
        return log;
    }

    /** dm_set_target_max_io_len: dm core splits bios so none crosses a multiple of this. */
    public void setMaxIoLen(long sectors) {
        this.maxIoLen = sectors;
    }

    public long maxIoLen() {
        return maxIoLen;
    }

    public void setNumFlushBios(int n) {
        this.numFlushBios = n;
    }

    public int numFlushBios() {
        return numFlushBios;
    }

    public void setNumDiscardBios(int n) {
        this.numDiscardBios = n;
    }

    public int numDiscardBios() {
        return numDiscardBios;
    }

    public void setFlushSupported(boolean b) {
        this.flushSupported = b;
    }

    public boolean flushSupported() {
        return flushSupported;
    }
}
