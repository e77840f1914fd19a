package org.eratestbed.fault.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eratestbed.device.BadInputException;

/**
 * Reads workload scripts. Only the syntax is checked here; whether the target accepts a command (a
 * block size of 0, a write past the end, a second snapshot) is the target's business, and the replay
 * records its refusal as {@code ERROR:} the way the kernel would refuse it. Every syntax error is one line:
 * {@code <script>:<line>: <what is wrong>}.
 *
 * <p>{@code reload origin_blocks=<N> [block_size=<sectors>]} loads a new table on the same devices
 * ({@code dmsetup reload era0 --table '0 <N*block_size> era <metadata> <origin> <block_size>'}; without
 * {@code block_size} the current table's). As in the kernel it takes effect at the next resume (a suspend then a
 * resume): a status before that still shows the old length, and the resume's preresume resizes the metadata to
 * the new number of blocks, growing or shrinking it. A later {@code create} uses the last table a reload loaded.
 * The origin device is made big enough for the largest table the script names ({@link WorkloadScript#originSectors}).
 */
public final class WorkloadParser {
    /** Scripts are small; a bigger file is almost certainly the wrong file. */
    public static final long MAX_SCRIPT_BYTES = 16L << 20;

    private WorkloadParser() {
    }

    public static WorkloadScript parse(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_SCRIPT_BYTES) {
                throw new BadInputException(file + ": larger than " + MAX_SCRIPT_BYTES + " bytes, not a workload script");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInputException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static WorkloadScript parse(String name, String text) {
        Command.Target target = null;
        List<Command> commands = new ArrayList<>();
        boolean crashed = false;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            String where = name + ":" + lineNo + ": ";
            if (crashed) {
                throw new BadInputException(where + "'" + words[0] + "' after 'crash': crash must be the last command");
            }
            if (target == null) {
                if (!words[0].equals("target")) {
                    throw new BadInputException(where + "the first command must be 'target block_size=<sectors> "
                            + "origin_blocks=<N> metadata_mib=<M>', not '" + words[0] + "'");
                }
                target = parseTarget(where, lineNo, words);
                continue;
            }
            Command c = parseCommand(where, lineNo, words);
            crashed = c instanceof Command.Simple s && s.kind() == Command.Kind.CRASH;
            commands.add(c);
        }
        if (target == null) {
            throw new BadInputException(name + ": empty script: it needs at least a 'target' line");
        }
        return new WorkloadScript(name, target, commands);
    }

    private static Command.Target parseTarget(String where, int lineNo, String[] words) {
        Map<String, Long> values = keyValues(where, "target", words, List.of("block_size", "origin_blocks", "metadata_mib"));
        for (String key : List.of("block_size", "origin_blocks", "metadata_mib")) {
            if (!values.containsKey(key)) {
                throw new BadInputException(where + "target lacks " + key + "=<number>");
            }
        }
        long blockSize = values.get("block_size");
        long originBlocks = values.get("origin_blocks");
        if (originBlocks == 0) {
            throw new BadInputException(where + "origin_blocks must be at least 1");
        }
        if (blockSize != 0 && originBlocks > Long.MAX_VALUE / blockSize / 512) {
            throw new BadInputException(where + "block_size * origin_blocks does not fit a device size");
        }
        if (values.get("metadata_mib") == 0 || values.get("metadata_mib") > (1L << 20)) {
            throw new BadInputException(where + "metadata_mib must be between 1 and 1048576");
        }
        return new Command.Target(lineNo, blockSize, originBlocks, values.get("metadata_mib"));
    }

    /**
     * {@code reload origin_blocks=<N> [block_size=<sectors>]}. A block size the target refuses (0, not a multiple
     * of 8, or not the one the metadata was formatted with) is the kernel's to refuse, like the target line's.
     */
    private static Command.Reload parseReload(String where, int lineNo, String[] words) {
        Map<String, Long> values = keyValues(where, "reload", words, List.of("origin_blocks", "block_size"));
        if (!values.containsKey("origin_blocks")) {
            throw new BadInputException(where + "reload lacks origin_blocks=<number> (usage: reload origin_blocks=<N> "
                    + "[block_size=<sectors>])");
        }
        long originBlocks = values.get("origin_blocks");
        if (originBlocks == 0) {
            throw new BadInputException(where + "origin_blocks must be at least 1");
        }
        java.util.OptionalLong blockSize = values.containsKey("block_size")
                ? java.util.OptionalLong.of(values.get("block_size")) : java.util.OptionalLong.empty();
        long bs = blockSize.orElse(1);
        if (bs != 0 && originBlocks > Long.MAX_VALUE / bs / 512) {
            throw new BadInputException(where + "block_size * origin_blocks does not fit a device size");
        }
        return new Command.Reload(lineNo, originBlocks, blockSize);
    }

    /** The {@code key=value} words after a command's first word, each key one of {@code known}, at most once. */
    private static Map<String, Long> keyValues(String where, String command, String[] words, List<String> known) {
        Map<String, Long> values = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new BadInputException(where + "expected key=value in '" + command + "', found '" + words[i] + "'");
            }
            String key = words[i].substring(0, eq);
            if (!known.contains(key)) {
                throw new BadInputException(where + "unknown " + command + " key '" + key + "' (known: "
                        + String.join(", ", known) + ")");
            }
            if (values.containsKey(key)) {
                throw new BadInputException(where + command + " key '" + key + "' given twice");
            }
            values.put(key, number(where, key, words[i].substring(eq + 1)));
        }
        return values;
    }

    private static Command parseCommand(String where, int lineNo, String[] words) {
        String word = words[0].toLowerCase(Locale.ROOT);
        switch (word) {
            case "write":
            case "discard": {
                arity(where, words, 2, word + " <first_block> <count>");
                long first = number(where, "first_block", words[1]);
                long count = number(where, "count", words[2]);
                if (count == 0) {
                    throw new BadInputException(where + word + " of 0 blocks does nothing: count must be at least 1");
                }
                if (first > Long.MAX_VALUE - count) {
                    throw new BadInputException(where + word + " range overflows");
                }
                return word.equals("write") ? new Command.Write(lineNo, first, count)
                        : new Command.Discard(lineNo, first, count);
            }
            case "invalidate":
            case "invalidate_snap": {
                arity(where, words, 1, word + " <era>");
                long era = number(where, "era", words[1]);
                if (era > 0xFFFF_FFFFL) {
                    throw new BadInputException(where + "era " + era + " does not fit dm-era's 32-bit era counter");
                }
                return new Command.Invalidate(lineNo, era, word.equals("invalidate_snap"));
            }
            case "reload":
                return parseReload(where, lineNo, words);
            case "target":
                throw new BadInputException(where + "'target' may only be the first command");
            default:
                for (Command.Kind k : Command.Kind.values()) {
                    if (k.word().equals(word)) {
                        arity(where, words, 0, word);
                        return new Command.Simple(lineNo, k);
                    }
                }
                throw new BadInputException(where + "unknown command '" + words[0] + "' (known: write, discard, flush, "
                        + "checkpoint, take_metadata_snap, drop_metadata_snap, suspend, resume, status, invalidate, "
                        + "invalidate_snap, reload, remove, create, crash)");
        }
    }

    private static void arity(String where, String[] words, int n, String usage) {
        if (words.length - 1 != n) {
            throw new BadInputException(where + "'" + words[0] + "' takes " + n + " argument" + (n == 1 ? "" : "s")
                    + ", got " + (words.length - 1) + " (usage: " + usage + ")");
        }
    }

    private static long number(String where, String what, String text) {
        if (!text.matches("[0-9]{1,19}")) {
            throw new BadInputException(where + what + " must be a non-negative decimal number, not '" + text + "'");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadInputException(where + what + " " + text + " is too large");
        }
    }
}
