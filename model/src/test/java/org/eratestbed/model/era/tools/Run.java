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

    /** What invalidate prints for {@code --written-since n}, from {@link EraInvalidate#lastEras}. */
    static String listed(long[] lastEras, long n) {
        StringWriter w = new StringWriter();
        InvalidateXml.RunWriter out = new InvalidateXml.RunWriter(w);
        int i = 0;
        while (i < lastEras.length) {
            if (lastEras[i] < n) {
                i++;
                continue;
            }
            int j = i;
            while (j < lastEras.length && lastEras[j] >= n) {
                j++;
            }
            out.run(i, j);
            i = j;
        }
        out.finish();
        return w.toString();
    }
}
