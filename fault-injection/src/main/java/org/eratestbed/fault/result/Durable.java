package org.eratestbed.fault.result;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes that survive a kill or a power cut: the file is either the old one or the whole new one. */
final class Durable {
    private Durable() {
    }

    /** Writes to a temporary sibling, forces it, renames it over {@code target}, forces the folder. */
    static void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceFolder(target.toAbsolutePath().getParent());
    }

    /** Removes what a {@link #replace} of {@code target} cut short by a kill left behind. */
    static void removeStale(Path target) throws IOException {
        Files.deleteIfExists(target.resolveSibling(target.getFileName() + ".tmp"));
    }

    /** Makes a create or rename in {@code folder} durable (its directory entry), where the OS allows it. */
    static void forceFolder(Path folder) throws IOException {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some systems (Windows) cannot open a folder as a channel: a rename there is as durable as the
            // file system makes it, which is all the platform offers.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
