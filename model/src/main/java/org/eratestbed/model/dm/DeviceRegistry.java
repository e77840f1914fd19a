package org.eratestbed.model.dm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eratestbed.device.BlockDevice;
import org.eratestbed.model.pdata.Errno;

/** The block devices a table line can name, by path or by major:minor, as dm_get_device finds them. */
public final class DeviceRegistry {
    private final Map<String, DmDev> byName = new LinkedHashMap<>();

    public DmDev add(String path, String devT, BlockDevice device) {
        DmDev d = new DmDev(path, devT, device);
        byName.put(path, d);
        byName.put(devT, d);
        return d;
    }

    /** dm_get_device. */
    public DmDev get(String pathOrDevT) {
        DmDev d = byName.get(pathOrDevT);
        if (d == null) {
            throw new DmException(Errno.EINVAL, "no such device " + pathOrDevT);
        }
        return d;
    }
}
