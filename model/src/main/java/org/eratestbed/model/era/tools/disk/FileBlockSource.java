package org.eratestbed.model.era.tools.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.eratestbed.device.BadInputException;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;

/** An image file (or block device node) read with positional reads: nothing is mapped or loaded whole. */
public final class FileBlockSource implements BlockSource {
    private final Path path;
    private final FileChannel channel;
    private final long nrBlocks;

    private FileBlockSource(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.nrBlocks = size / BLOCK_SIZE;
    }

    /** Opens an image read-only; a missing or unreadable file is the user's bad input. */
    public static FileBlockSource open(Path path) {
        if (Files.isDirectory(path)) {
            throw new BadInputException(path + ": is a directory, not a metadata image");
        }
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            return new FileBlockSource(path, ch, ch.size());
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": no such file");
        } catch (IOException | SecurityException e) {
            throw new BadInputException(path + ": cannot open: " + e.getMessage());
        }
    }

    @Override
    public long nrBlocks() {
        return nrBlocks;
    }

    @Override
    public void read(long block, byte[] dst) {
        if (block < 0 || block >= nrBlocks) {
            throw new MetadataException(Errno.EIO, "block " + block + " is past the end of the image (" + nrBlocks + " blocks)");
        }
        ByteBuffer buf = ByteBuffer.wrap(dst, 0, BLOCK_SIZE);
        long pos = block * BLOCK_SIZE;
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos + buf.position());
                if (n < 0) {
                    throw new MetadataException(Errno.EIO, path + ": short read at block " + block + " (file shrank?)");
                }
            }
        } catch (IOException e) {
            throw new MetadataException(Errno.EIO, path + ": read error at block " + block + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Read-only channel: nothing was written, so a failing close loses nothing.
        }
    }
}
