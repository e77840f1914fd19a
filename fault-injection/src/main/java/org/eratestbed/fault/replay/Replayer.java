package org.eratestbed.fault.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eratestbed.fault.workload.Command;
import org.eratestbed.fault.workload.WorkloadScript;

/**
 * Replays a workload script on a target under test and writes what design.md promises: {@code status.txt}
 * (status lines, {@code ERROR:} lines, {@code blocked}, {@code LATE(...)}), {@code invalidate-<N>.xml}
 * files (repeats numbered {@code .2}, {@code .3}…) and the final {@code meta.img}.
 */
public final class Replayer {
    /** Everything one replay produced, in memory, before it is written out. */
    public record Outcome(List<String> status, Map<String, String> files, byte[] metadataImage) {
        public void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve("status.txt"), status, StandardCharsets.UTF_8);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            Files.write(dir.resolve("meta.img"), metadataImage);
        }
    }

    private Replayer() {
    }

    public static Outcome replay(WorkloadScript script, TargetUnderTest target, byte[] initialMetadata) {
        List<String> status = new ArrayList<>();
        Map<String, String> files = new java.util.LinkedHashMap<>();
        Map<String, Integer> repeats = new HashMap<>();
        target.start(script.target(), script.originSectors(), initialMetadata);
        record(status, files, repeats, "create", null, target.create(), null);
        for (Command c : script.commands()) {
            TargetUnderTest.Result r = target.run(c);
            record(status, files, repeats, c.text(), c, r, null);
            for (TargetUnderTest.Late late : target.late()) {
                record(status, files, repeats, late.command(), null, late.result(),
                        "LATE(line " + late.line() + " " + late.command() + ", returned during line " + c.line() + "): ");
            }
        }
        if (!script.crashes()) {
            record(status, files, repeats, "remove", null, target.remove(), null);
            int lastLine = script.commands().isEmpty() ? script.target().line()
                    : script.commands().get(script.commands().size() - 1).line();
            for (TargetUnderTest.Late late : target.late()) {
                record(status, files, repeats, late.command(), null, late.result(),
                        "LATE(line " + late.line() + " " + late.command() + ", returned during line " + lastLine + "): ");
            }
        }
        return new Outcome(List.copyOf(status), files, target.metadataImage());
    }

    private static void record(List<String> status, Map<String, String> files, Map<String, Integer> repeats,
            String text, Command c, TargetUnderTest.Result r, String latePrefix) {
        String word = text.split(" ")[0];
        String prefix = latePrefix == null ? "" : latePrefix;
        if (r instanceof TargetUnderTest.Result.Done d) {
            d.lines().forEach(l -> status.add(prefix + l));
            if (d.lines().isEmpty() && !prefix.isEmpty()) {
                // a late message or write prints nothing, but that it returned (and when) is the result
                status.add(prefix.stripTrailing());
            }
        } else if (r instanceof TargetUnderTest.Result.Failed f) {
            f.lines().forEach(l -> status.add(prefix + "ERROR: " + word + ": " + l));
        } else if (r instanceof TargetUnderTest.Result.Blocked) {
            status.add("ERROR: " + word + ": blocked");
        } else if (r instanceof TargetUnderTest.Result.Xml x) {
            String base = text.replace(' ', '-');
            int n = repeats.merge(base, 1, Integer::sum);
            files.put(base + (n == 1 ? "" : "." + n) + ".xml", x.xml());
            if (!prefix.isEmpty()) {
                status.add(prefix + "wrote " + base + (n == 1 ? "" : "." + n) + ".xml");
            }
        }
    }
}
