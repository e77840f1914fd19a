package org.eratestbed.reports.jfr;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.eratestbed.device.BadInputException;

/** Reads JFR recordings into a {@link JfrProfile}, with the JDK's own parser. */
public final class JfrProfileReader {
    /** Rows kept per table: a report shows where the time went, not a full profile. */
    static final int TOP = 20;

    private final Map<String, Long> hot = new HashMap<>();
    private final Map<String, Long> project = new HashMap<>();
    private final Map<String, Long> alloc = new HashMap<>();
    private final Map<String, GcAcc> collections = new HashMap<>();
    private final Map<String, GcAcc> phases = new HashMap<>();
    private long samples;
    private long allocBytes;
    private Instant first;
    private Instant last;

    private JfrProfileReader() {
    }

    public static JfrProfile read(List<Path> recordings) {
        JfrProfileReader r = new JfrProfileReader();
        for (Path file : recordings) {
            r.readFile(file);
        }
        Duration span = r.first == null ? Duration.ZERO : Duration.between(r.first, r.last);
        return new JfrProfile(recordings.size(), span, r.samples, top(r.hot), top(r.project), top(r.alloc),
                r.allocBytes, gcRows(r.collections), gcRows(r.phases));
    }

    private void readFile(Path file) {
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                accept(recording.readEvent());
            }
        } catch (IOException e) {
            throw new BadInputException(file + ": not a readable JFR recording: " + e.getMessage(), e);
        }
    }

    private void accept(RecordedEvent e) {
        Instant t = e.getStartTime();
        first = first == null || t.isBefore(first) ? t : first;
        last = last == null || e.getEndTime().isAfter(last) ? e.getEndTime() : last;
        switch (e.getEventType().getName()) {
            case "jdk.ExecutionSample" -> executionSample(e.getStackTrace());
            case "jdk.ObjectAllocationSample" -> {
                RecordedClass c = e.getClass("objectClass");
                long weight = e.getLong("weight");
                alloc.merge(c == null ? "(unknown)" : c.getName(), weight, Long::sum);
                allocBytes += weight;
            }
            case "jdk.GarbageCollection" -> collections
                    .computeIfAbsent(e.getString("name") + "\u0000" + e.getString("cause"), k -> new GcAcc())
                    .add(e.getDuration("sumOfPauses"), e.getDuration("longestPause"));
            case "jdk.GCPhasePause" -> phases.computeIfAbsent(e.getString("name") + "\u0000", k -> new GcAcc())
                    .add(e.getDuration(), e.getDuration());
            default -> {
                // Other events (the recording's settings, CPU load, ...) are not shown.
            }
        }
    }

    private void executionSample(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        hot.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
        for (RecordedFrame f : frames) {
            RecordedMethod m = f.getMethod();
            if (m != null && m.getType() != null && m.getType().getName().startsWith(JfrProfile.PROJECT_PACKAGE)) {
                project.merge(name(m), 1L, Long::sum);
                break;
            }
        }
    }

    private static String name(RecordedMethod m) {
        if (m == null) {
            return "(unknown)";
        }
        return (m.getType() == null ? "?" : m.getType().getName()) + "." + m.getName();
    }

    private static List<JfrProfile.Row> top(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP).map(en -> new JfrProfile.Row(en.getKey(), en.getValue())).toList();
    }

    private static List<JfrProfile.GcRow> gcRows(Map<String, GcAcc> acc) {
        List<JfrProfile.GcRow> rows = new ArrayList<>();
        acc.forEach((key, a) -> {
            String[] parts = key.split("\u0000", -1);
            rows.add(new JfrProfile.GcRow(parts[0], parts[1], a.count, a.total, a.longest));
        });
        rows.sort(Comparator.comparing(JfrProfile.GcRow::total).reversed().thenComparing(JfrProfile.GcRow::name));
        return rows.size() > TOP ? rows.subList(0, TOP) : rows;
    }

    private static final class GcAcc {
        long count;
        Duration total = Duration.ZERO;
        Duration longest = Duration.ZERO;

        void add(Duration pause, Duration longestPause) {
            count++;
            total = total.plus(pause);
            longest = longestPause.compareTo(longest) > 0 ? longestPause : longest;
        }
    }
}
