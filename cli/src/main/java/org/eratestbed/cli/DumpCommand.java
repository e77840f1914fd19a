package org.eratestbed.cli;

import java.io.BufferedWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eratestbed.model.era.tools.EraDumper;
import org.eratestbed.model.era.tools.xml.EraXmlWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code era-testbed dump [--logical] [--metadata-snapshot] IMG}: era_dump XML (0.9.0's format). */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Dump era metadata as era_dump XML (thin-provisioning-tools 0.9.0's format).",
            "Unlike 0.9.0 it includes the superblock's current writeset when its root is not 0 (as the Rust "
                + "era_dump does), and --logical gives each block the newest era that marked it."})
final class DumpCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "METADATA_IMAGE", description = "Metadata image file or device.")
    Path image;

    @Option(names = "--logical", description = "Fold the writesets into the era array; print only the era array.")
    boolean logical;

    @Option(names = {"--metadata-snapshot", "--metadata-snap"},
            description = "Dump the held metadata snapshot's writeset tree and era array.")
    boolean snapshot;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the XML to FILE instead of stdout.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return MetadataReads.run(spec, image, output, (src, out) -> {
            BufferedWriter w = new BufferedWriter(out, 1 << 16);
            EraDumper.dump(src, logical, snapshot, new EraXmlWriter(w));
            w.flush();
        });
    }
}
