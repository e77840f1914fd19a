package org.eratestbed.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eratestbed.device.BadInputException;
import org.eratestbed.model.era.tools.disk.FileBlockSource;
import org.eratestbed.model.pdata.MetadataException;
import picocli.CommandLine.Model.CommandSpec;

/** What dump and invalidate share: open the image, pick the output, turn damage into one line and exit 2. */
final class MetadataReads {
    interface Body {
        void run(FileBlockSource src, Writer out) throws IOException;
    }

    private MetadataReads() {
    }

    static int run(CommandSpec spec, Path image, Path output, Body body) {
        try (FileBlockSource src = FileBlockSource.open(image)) {
            if (src.nrBlocks() == 0) {
                throw new BadInputException(image + ": not era metadata: smaller than one 4096-byte block");
            }
            if (output == null) {
                Writer out = spec.commandLine().getOut();
                body.run(src, out);
                out.flush();
            } else {
                try (Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(output),
                        StandardCharsets.UTF_8))) {
                    body.run(src, out);
                }
            }
        } catch (MetadataException e) {
            throw new BadInputException(image + ": " + e.getMessage() + " (run 'era-testbed check' for details)", e);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + (output == null ? "output" : output) + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new BadInputException("cannot write " + (output == null ? "output" : output) + ": "
                    + e.getCause().getMessage(), e);
        }
        return EraTestbed.EXIT_OK;
    }
}
