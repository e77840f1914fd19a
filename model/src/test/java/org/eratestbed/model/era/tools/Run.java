package org.eratestbed.model.era.tools;

import java.io.StringWriter;
import org.eratestbed.model.era.tools.disk.BlockSource;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;
import org.eratestbed.model.era.tools.xml.InvalidateXml;

/** The readers as text, the way the CLI prints them. */
final class Run {
    private Run() {
    }

    static String dump(BlockSource src, boolean logical, boolean snapshot) {
        StringWriter w = new StringWriter();
        EraDumper.dump(src, logical, snapshot, new EraXmlWriter(w));
        return w.toString();
    }

    static String invalidate(BlockSource src, long n, boolean snapshot) {
        StringWriter w = new StringWriter();
        EraInvalidate.invalidate(src, n, snapshot, false, new InvalidateXml.RunWriter(w));
        return w.toString();
    }
}
