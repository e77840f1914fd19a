package org.eratestbed.fault.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eratestbed.device.BadInputException;

/**
 * {@code results.jsonl} as it is on disk. A record is a line that ends in a line break: the writer puts a
 * record and its line break in one write, so a kill or power cut mid-write leaves at most one unterminated
 * last line, which is dropped (never read as a record). A terminated line that is not a record is damage
 * the writer cannot have left, so it is bad input, reported as file:line.
 */
final class ResultFile {
    static final String NAME = "results.jsonl";
    static final Set<String> TYPES = Set.of(RunRecord.TYPE, ViolationRecord.TYPE, KnownRecord.TYPE, DoneRecord.TYPE);

    /** One record and where it came from; {@code text} is the line exactly as on disk. */
    record Line(int number, String text, ResultRecord record) {
    }

    private final Path file;
    private final List<Line> lines;
    private final long completeBytes;
    private final long partialBytes;
    private final List<String> warnings;

    private ResultFile(Path file, List<Line> lines, long completeBytes, long partialBytes, List<String> warnings) {
        this.file = file;
        this.lines = List.copyOf(lines);
        this.completeBytes = completeBytes;
        this.partialBytes = partialBytes;
        this.warnings = List.copyOf(warnings);
    }

    static ResultFile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        List<Line> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int start = 0;
        int number = 0;
        for (int i = 0; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            number++;
            String text = decode(file, number, bytes, start, i);
            start = i + 1;
            if (text.isBlank()) {
                continue;
            }
            ResultRecord record = parse(file, number, text, warnings);
            if (record != null) {
                lines.add(new Line(number, text, record));
            }
        }
        long partial = bytes.length - end;
        if (partial > 0) {
            warnings.add(file + ":" + (number + 1) + ": dropped an unterminated last line (" + partial
                    + " bytes, a write cut short)");
        }
        return new ResultFile(file, lines, end, partial, warnings);
    }

    private static String decode(Path file, int number, byte[] bytes, int from, int to) {
        int len = to - from;
        if (len > 0 && bytes[to - 1] == '\r') {
            len--;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, from, len)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + ":" + number + ": not UTF-8 text");
        }
    }

    /** A record, or null for a record type this reader does not know (a newer writer's; skipped, warned). */
    private static ResultRecord parse(Path file, int number, String text, List<String> warnings) {
        String where = file + ":" + number + ": ";
        JsonNode node;
        try {
            node = ResultJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadInputException(where + "not a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new BadInputException(where + "record without a \"type\"");
        }
        if (!TYPES.contains(type.asText())) {
            warnings.add(where + "skipped a record of unknown type \"" + type.asText() + "\"");
            return null;
        }
        try {
            return ResultJson.mapper().treeToValue(node, ResultRecord.class);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BadInputException(where + "bad " + type.asText() + " record: " + describe(cause));
        } catch (JsonMappingException e) {
            throw new BadInputException(where + "bad " + type.asText() + " record: " + describe(e));
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + "bad " + type.asText() + " record: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + "bad " + type.asText() + " record: " + describe(e));
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof NullPointerException) {
            return "missing '" + t.getMessage() + "'";
        }
        return t.getMessage();
    }

    /** Names the property: Jackson's own message often says only which Java type it could not fill. */
    private static String describe(JsonMappingException e) {
        List<JsonMappingException.Reference> path = e.getPath();
        String field = path.isEmpty() ? null : path.get(path.size() - 1).getFieldName();
        if (field == null) {
            return e.getOriginalMessage();
        }
        if (e.getOriginalMessage().startsWith("Cannot map `null`")) {
            return "missing '" + field + "'";
        }
        return "'" + field + "': " + e.getOriginalMessage();
    }

    /**
     * What stands in the file, in file order: for each run, its last batch (the run record and the findings
     * written with it, which directly precede it: {@link ResultLog#appendRun} writes them in one write), and
     * the last done record. An earlier batch of the same run was superseded (a later session triaged what it
     * had written as found) and stays in the file as history. A finding that no run record of its run follows
     * directly is an orphan: its run was cut short and will be run again.
     */
    static Standing standing(List<Line> lines) {
        Map<Integer, Integer> lastRunRecord = new HashMap<>();
        int lastDone = -1;
        boolean[] inBatch = new boolean[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            ResultRecord r = lines.get(i).record();
            if (r instanceof RunRecord run) {
                lastRunRecord.put(run.run(), i);
                for (int j = i - 1; j >= 0 && lines.get(j).record() instanceof Finding f && f.run() == run.run()
                        && !inBatch[j]; j--) {
                    inBatch[j] = true;
                }
            } else if (r instanceof DoneRecord) {
                lastDone = i;
            }
        }
        List<Line> kept = new ArrayList<>();
        List<Line> orphans = new ArrayList<>();
        int superseded = 0;
        for (int i = 0; i < lines.size(); i++) {
            ResultRecord r = lines.get(i).record();
            if (r instanceof Finding f && !inBatch[i]) {
                orphans.add(lines.get(i));
                continue;
            }
            int owner = r instanceof RunRecord run ? run.run() : r instanceof Finding f ? f.run() : -1;
            boolean stands;
            if (r instanceof DoneRecord) {
                stands = i == lastDone;
            } else {
                // a batch's findings belong to the next run record of their run
                int recordAt = i;
                while (!(lines.get(recordAt).record() instanceof RunRecord)) {
                    recordAt++;
                }
                stands = recordAt == lastRunRecord.get(owner);
            }
            if (stands) {
                kept.add(lines.get(i));
            } else {
                superseded++;
            }
        }
        return new Standing(kept, orphans, superseded);
    }

    /** See {@link #standing}: the lines that stand, those that are orphans, and how many were superseded. */
    record Standing(List<Line> kept, List<Line> orphans, int superseded) {
    }

    Path file() {
        return file;
    }

    List<Line> lines() {
        return lines;
    }

    /** Bytes up to and including the last line break: the part that holds records. */
    long completeBytes() {
        return completeBytes;
    }

    /** Bytes of an unterminated last line (0 if the file ends with a line break). */
    long partialBytes() {
        return partialBytes;
    }

    List<String> warnings() {
        return warnings;
    }

    static UncheckedIOException io(Path file, String what, IOException e) {
        return new UncheckedIOException(file + ": " + what + ": " + e.getMessage(), e);
    }
}
