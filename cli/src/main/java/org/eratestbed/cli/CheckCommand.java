package org.eratestbed.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.FileBlockSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code era-testbed check IMG}: exit 0 and one "era metadata OK" line (warnings, if any, before it) for a
 * consistent image; exit 1 with one line per problem on stdout for a damaged one; exit 2 with one line on
 * stderr when the file cannot be read or holds no era metadata at all.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check era metadata like era_check, and more: btree shape, array and bitset layout, era values, "
                + "the space map and every block's reference count (live superblock and metadata snapshot).",
            "Exit 0: consistent (one OK line; warning lines for states the kernel can leave, e.g. writesets longer "
                + "than nr_blocks after a shrink). Exit 1: one line per problem on stdout. Exit 2: unreadable or not "
                + "era metadata."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "METADATA_IMAGE", description = "Metadata image file or device.")
    Path image;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing; the exit code tells.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CheckReport report;
        try (FileBlockSource src = FileBlockSource.open(image)) {
            report = EraCheck.check(src);
        }
        if (report.notEraImage() != null) {
            throw new BadInputException(image + ": " + report.notEraImage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!quiet) {
            report.lines().forEach(out::println);
            if (report.ok()) {
                out.println(report.summary());
            }
            out.flush();
        }
        return report.ok() ? EraTestbed.EXIT_OK : EraTestbed.EXIT_VIOLATION;
    }
}
