package org.eratestbed.model.dm;

import org.eratestbed.device.BlockDevice;

/** An opened underlying device (struct dm_dev): the device, its path and its major:minor. */
public record DmDev(String path, String devT, BlockDevice device) {
}
