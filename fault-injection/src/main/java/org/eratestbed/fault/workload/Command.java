package org.eratestbed.fault.workload;

/**
 * One line of a workload script (design.md, "Workload script format"). {@code line} is the 1-based line
 * number in the script it came from (0 for generated commands not yet written out), so results can name
 * the command that produced them.
 */
public sealed interface Command {
    int line();

    /** The command as it is written in a script. */
    String text();

    /** {@code target block_size=<sectors> origin_blocks=<N> metadata_mib=<M>}: always the first command. */
    record Target(int line, long blockSize, long originBlocks, long metadataMib) implements Command {
        @Override
        public String text() {
            return "target block_size=" + blockSize + " origin_blocks=" + originBlocks + " metadata_mib=" + metadataMib;
        }

        /** Length of the era device in sectors. */
        public long lengthSectors() {
            return blockSize * originBlocks;
        }
    }

    /** One O_DIRECT write per era block, in order. */
    record Write(int line, long first, long count) implements Command {
        @Override
        public String text() {
            return "write " + first + " " + count;
        }
    }

    /** One discard request covering the whole range. */
    record Discard(int line, long first, long count) implements Command {
        @Override
        public String text() {
            return "discard " + first + " " + count;
        }
    }

    /**
     * {@code reload origin_blocks=<N> [block_size=<sectors>]}: {@code dmsetup reload} of a new table on the same
     * devices, {@code 0 <N*block_size> era <metadata> <origin> <block_size>}. The new target's constructor runs now;
     * the table goes live at the next resume (a suspend+resume, or a resume of a suspended device), whose preresume
     * resizes the metadata. Without {@code block_size} the current table's is kept.
     */
    record Reload(int line, long originBlocks, java.util.OptionalLong blockSize) implements Command {
        public Reload {
            java.util.Objects.requireNonNull(blockSize);
        }

        @Override
        public String text() {
            return "reload origin_blocks=" + originBlocks
                    + (blockSize.isPresent() ? " block_size=" + blockSize.getAsLong() : "");
        }

        /** The block size of the table this loads, given the current table's. */
        public long blockSizeOr(long current) {
            return blockSize.orElse(current);
        }
    }

    /** A command without arguments. */
    record Simple(int line, Kind kind) implements Command {
        @Override
        public String text() {
            return kind.word();
        }
    }

    /** {@code invalidate N} or {@code invalidate_snap N}. */
    record Invalidate(int line, long era, boolean snapshot) implements Command {
        @Override
        public String text() {
            return (snapshot ? "invalidate_snap " : "invalidate ") + era;
        }
    }

    /** The argument-less commands. */
    enum Kind {
        FLUSH("flush"),
        CHECKPOINT("checkpoint"),
        TAKE_METADATA_SNAP("take_metadata_snap"),
        DROP_METADATA_SNAP("drop_metadata_snap"),
        SUSPEND("suspend"),
        RESUME("resume"),
        STATUS("status"),
        REMOVE("remove"),
        CREATE("create"),
        CRASH("crash");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }
}
