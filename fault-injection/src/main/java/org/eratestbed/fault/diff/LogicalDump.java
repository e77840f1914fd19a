package org.eratestbed.fault.diff;

import java.io.StringWriter;
import org.eratestbed.model.era.tools.EraDumper;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;
import org.eratestbed.model.pdata.MetadataException;

/**
 * {@code dump --logical} of a final metadata image, by the model's reader, for both sides of a diff: one
 * reader for both, so a difference is in the images, not in two dumpers. An image that cannot be read still
 * gives text (what was dumped, then the error), so an unreadable image on one side is a difference like any
 * other rather than an exception that hides the rest.
 */
final class LogicalDump {
    private LogicalDump() {
    }

    static String of(byte[] image) {
        if (isZero(image)) {
            return "unformatted: the metadata device is all zeroes\n";
        }
        StringWriter out = new StringWriter();
        try {
            EraDumper.dump(new ByteArrayBlockSource(image), true, false, new EraXmlWriter(out));
        } catch (MetadataException e) {
            out.write("dump failed: " + e.getMessage() + "\n");
        }
        return out.toString();
    }

    private static boolean isZero(byte[] image) {
        for (byte b : image) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
