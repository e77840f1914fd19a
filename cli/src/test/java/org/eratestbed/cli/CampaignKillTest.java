package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign killed with SIGKILL ({@link Process#destroyForcibly()}) at several moments and started again
 * with the same options each time ends with the same result set as one that ran through: the same records
 * (clock fields aside), none twice, the same reproducer folders with the same files, and a report.
 *
 * <p>The campaign runs in a child JVM ({@link ObservedCampaign}: the command line with a thread that prints
 * which phase the main thread is in), on {@code pre-5.12} with {@code --runs 12}: nearly every run fails, so
 * findings are attributed, shrunk and written as folders. The test kills it in turn early, while it
 * attributes, while it shrinks, while it writes a reproducer folder, while it appends to the log, in the
 * middle of the runs, and while it renders the report; then lets the last session finish. A second test does
 * the same to {@code campaign --triage} on a campaign whose findings were all left untriaged, killing it
 * while it attributes, shrinks, replaces a folder, appends a superseding batch and appends its done record.
 * Each run prints the kills that landed (phase and results lines at the kill) to its test output.
 *
 * <p>What it can catch: a record lost or written twice across a kill, a run redone differently after a
 * resume (any decision that depends on what one session remembers and another does not), a finding folder
 * left torn or stale, a report or profile missing after a resume. What it cannot: a kill between two
 * particular instructions (the phase is sampled every half millisecond and the kill lands a little later,
 * so short phases such as writing a folder are hit only sometimes; each session's output says which were
 * hit), a power cut (SIGKILL leaves what was written in the OS cache; only {@code force} makes it
 * durable, which this test cannot see), and budget-bounded campaigns, whose result sets depend on time.
 */
class CampaignKillTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> OPTIONS = List.of("campaign", "--variant", "pre-5.12", "--runs", "12", "--states",
            "4", "--seed", "3");

    /** Where to kill a session: the first time the child reports {@code phase} once the log has this many lines. */
    record Kill(String phase, int minLines) {
    }

    @TempDir
    Path tmp;

    @Test
    void sigkilledCampaignResumesToTheResultsOfAnUninterruptedOne() throws Exception {
        Path straight = tmp.resolve("straight");
        int straightCode = runChild(straight, null).exitCode();
        int straightLines = Files.readAllLines(straight.resolve("results.jsonl")).size();
        assertTrue(straightLines > 12, "12 runs, their findings and a done record: " + straightLines);

        Path killed = tmp.resolve("killed");
        List<Kill> plan = List.of(new Kill("run", 0), new Kill("attribute", 0), new Kill("shrink", 0),
                new Kill("write-finding", 0), new Kill("append", 0), new Kill("run", straightLines / 2),
                new Kill("report", 0));
        List<String> hit = new ArrayList<>();
        for (Kill k : plan) {
            Session s = runChild(killed, k);
            if (s.killed()) {
                hit.add(k.phase() + "@" + s.linesAtKill());
            }
        }
        System.out.println("kills that landed (phase@lines in results.jsonl): " + hit);
        Session last = runChild(killed, null);
        assertFalse(last.killed());
        assertEquals(straightCode, last.exitCode(), "the same verdict");
        assertTrue(hit.size() >= 4 && hit.stream().anyMatch(h -> h.startsWith("shrink"))
                && hit.stream().anyMatch(h -> h.startsWith("attribute")), "kills that landed: " + hit);

        assertEquals(records(straight), records(killed), "the same records, kills " + hit);
        List<String> lines = Files.readAllLines(killed.resolve("results.jsonl"), StandardCharsets.UTF_8);
        assertEquals(lines.size(), new HashSet<>(lines).size(), "a record written twice");
        Set<Integer> runs = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals("run")) {
                assertTrue(runs.add(n.get("run").asInt()), "run " + n.get("run") + " recorded twice");
            }
        }
        assertEquals(folders(straight), folders(killed), "the same reproducer folders, kills " + hit);
        for (String f : List.of("report.html", "junit.xml", "profile.jfr")) {
            assertTrue(Files.size(killed.resolve(f)) > 0, f);
        }
        JsonNode a = JSON.readTree(killed.resolve("summary.json").toFile());
        JsonNode b = JSON.readTree(straight.resolve("summary.json").toFile());
        for (String field : List.of("runs", "violations", "known_issues", "violations_by_defect", "known_by_defect")) {
            assertEquals(b.get(field), a.get(field), "summary.json " + field);
        }
        try (Stream<Path> all = Files.walk(killed)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().endsWith(".tmp")
                    || p.getFileName().toString().endsWith(".old")).toList(), "no temporary file or folder left behind");
        }
    }

    /**
     * {@code campaign --triage} killed while it attributes, shrinks, replaces a reproducer folder and appends a
     * superseding batch, and started again, ends as one that ran through: the same records (the superseded
     * untriaged ones included, each once), one new done record, the same folders.
     */
    @Test
    void sigkilledTriageResumesToTheResultsOfAnUninterruptedOne() throws Exception {
        Path straight = tmp.resolve("straight");
        EraTestbedTest.Run c = EraTestbedTest.run("campaign", "--variant", "pre-5.12", "--runs", "8", "--states", "4",
                "--seed", "3", "--out", straight.toString(), "--no-report");
        assertEquals(0, c.code(), c.err());
        int untriaged = CampaignTriageCommandTest.markUntriaged(straight);
        assertTrue(untriaged >= 4, "pre-5.12 fails most runs: " + untriaged);
        Path killed = tmp.resolve("killed");
        copyTree(straight, killed);
        EraTestbedTest.Run t = EraTestbedTest.run("campaign", "--triage", straight.toString(), "--no-report");
        assertEquals(0, t.code(), t.err());

        List<String> args = List.of("campaign", "--triage", killed.toString(), "--no-report");
        List<String> hit = new ArrayList<>();
        // Each superseding batch is two lines; the last append is the done record's.
        int l0 = lines(killed);
        List<Kill> plan = List.of(new Kill("attribute", l0), new Kill("shrink", l0), new Kill("write-finding", l0),
                new Kill("append", l0 + 2), new Kill("attribute", l0 + 4), new Kill("append", l0 + 2 * untriaged));
        for (Kill k : plan) {
            Session s = runChild(killed, k, args);
            String phase = k.phase();
            if (s.killed()) {
                hit.add(phase + "@" + s.linesAtKill());
            }
        }
        System.out.println("triage kills that landed (phase@lines in results.jsonl): " + hit);
        assertFalse(runChild(killed, null, args).killed());
        assertTrue(hit.size() >= 4 && hit.stream().anyMatch(h -> h.startsWith("shrink")), "kills that landed: " + hit);
        assertEquals(1, Files.readAllLines(killed.resolve("results.jsonl")).stream()
                .filter(l -> l.startsWith("{\"type\":\"done\"")).count() - 1, "one new done record");
        assertEquals(records(straight), records(killed), "the same records, kills " + hit);
        assertEquals(folders(straight), folders(killed), "the same reproducer folders, kills " + hit);
        assertEquals(CampaignTriageCommandTest.standing(straight), CampaignTriageCommandTest.standing(killed));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    record Session(boolean killed, int linesAtKill, int exitCode) {
    }

    /** One session of the campaign in {@code out}; killed with SIGKILL at {@code kill}, or left to finish. */
    private Session runChild(Path out, Kill kill) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(OPTIONS);
        args.addAll(List.of("--out", out.toString()));
        return runChild(out, kill, args);
    }

    private Session runChild(Path out, Kill kill, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ObservedCampaign.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("stderr.txt").toFile()));
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (kill != null && (line = r.readLine()) != null) {
                if (line.equals(ObservedCampaign.PREFIX + kill.phase())) {
                    int lines = lines(out);
                    if (lines >= kill.minLines()) {
                        p.destroyForcibly();
                        p.waitFor(30, TimeUnit.SECONDS);
                        return new Session(true, lines, p.exitValue());
                    }
                }
            }
            r.transferTo(java.io.Writer.nullWriter());
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        return new Session(false, -1, p.exitValue());
    }

    private static int lines(Path out) {
        Path f = out.resolve("results.jsonl");
        try {
            return Files.exists(f) ? (int) Files.readAllLines(f, StandardCharsets.ISO_8859_1).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The records as a sorted list, without what differs between two executions of the same campaign: the
     * clock ({@code t_ms}, {@code elapsed_ms}) and the results folder in reproduce commands.
     */
    static List<String> records(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("results.jsonl"), StandardCharsets.UTF_8)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            n.remove(List.of("t_ms", "elapsed_ms"));
            if (n.has("reproduce")) {
                // the folder's path, whichever folder the record was written in (a copy keeps the original's)
                n.put("reproduce", n.get("reproduce").asText().replaceAll("\\S*/findings/", "DIR/findings/"));
            }
            out.add(n.toString());
        }
        out.sort(null);
        return out;
    }

    /** Every file under findings/, by relative path, with its content. */
    static Map<String, String> folders(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path findings = dir.resolve("findings");
        try (Stream<Path> all = Files.walk(findings)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(findings.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
