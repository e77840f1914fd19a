package org.eratestbed.cli;

import java.io.BufferedWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eratestbed.model.era.tools.EraInvalidate;
import org.eratestbed.model.era.tools.xml.InvalidateXml;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code era-testbed invalidate --written-since N [--metadata-snapshot] IMG}: era_invalidate XML. */
@Command(name = "invalidate", mixinStandardHelpOptions = true,
        description = {"List blocks written since an era, as era_invalidate XML (0.9.0's bytes).",
            "A block is listed when its era-array value is >= N or a writeset of era >= N marks it. With "
                + "--metadata-snapshot the snapshot's trees are read (0.9.0 reads the live ones)."})
final class InvalidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "METADATA_IMAGE", description = "Metadata image file or device.")
    Path image;

    @Option(names = "--written-since", required = true, paramLabel = "ERA", description = "The era N (0..4294967295).")
    long writtenSince;

    @Option(names = {"--metadata-snapshot", "--metadata-snap"},
            description = "Read the held metadata snapshot's view.")
    boolean snapshot;

    @Option(names = "--include-current-writeset",
            description = "Also list blocks of the superblock's current writeset (era_invalidate ignores it, so a "
                    + "crash image's current era is missing until the kernel reopens it).")
    boolean includeCurrent;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the XML to FILE instead of stdout.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (writtenSince < 0 || writtenSince > 0xFFFFFFFFL) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--written-since " + writtenSince + " is not an era (0..4294967295)");
        }
        return MetadataReads.run(spec, image, output, (src, out) -> {
            BufferedWriter w = new BufferedWriter(out, 1 << 16);
            EraInvalidate.invalidate(src, writtenSince, snapshot, includeCurrent, new InvalidateXml.RunWriter(w));
            w.flush();
        });
    }
}
