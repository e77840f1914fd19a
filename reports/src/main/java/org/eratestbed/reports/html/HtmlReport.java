package org.eratestbed.reports.html;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.eratestbed.fault.result.Finding;
import org.eratestbed.fault.result.OracleIds;
import org.eratestbed.reports.CampaignSummary;
import org.eratestbed.reports.Text;
import org.eratestbed.reports.html.Html.Col;
import org.eratestbed.reports.jcstress.JcstressSummary;
import org.eratestbed.reports.jfr.JfrProfile;

/**
 * {@code report.html}: one self-contained file (inline CSS, inline SVG charts, no script, nothing fetched),
 * readable top-down: the verdict, the numbers, where the failures are, then each failure with the command
 * that replays it, then the stress suite and the profile.
 */
public final class HtmlReport {
    /** Findings shown in full; past this the report says how many more are in the results. */
    static final int MAX_FINDINGS_SHOWN = 1000;
    /** Scheduler choices shown per finding (the reproducer replays them all). */
    static final int MAX_SCHEDULE_SHOWN = 400;

    static final Map<String, String> ORACLE_MEANING = Map.of(
            OracleIds.TRACKING, "a write completed in era E is reported by invalidate --written-since E, "
                    + "after any crash and recovery",
            OracleIds.IN_FLIGHT, "a write reaching the origin after a checkpoint to era E+1 is reported "
                    + "as written since E+1 (review point M1)",
            OracleIds.ERA_FROM_FUTURE, "no recorded era exceeds the current era; the current era never "
                    + "goes backwards",
            OracleIds.METADATA_CONSISTENCY, "every crash state passes check (checksums, block numbers, "
                    + "btree shape, reference counts, eras)",
            OracleIds.LINEAR_DATA, "reads return what the device semantics say may be there",
            OracleIds.LIVENESS, "no message, status or table swap hangs; errors are returned, not swallowed");

    private static final String CSS = """
            :root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--alt:#f6f8fa;--red:#b42318;--amber:#b54708;\
            --green:#067647;--blue:#1f5fa8}
            *{box-sizing:border-box}
            body{margin:0;background:#fff;color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",\
            Roboto,"Helvetica Neue",Arial,sans-serif}
            main{max-width:1180px;margin:0 auto;padding:28px 36px 56px}
            header{border-bottom:3px solid var(--fg);padding-bottom:10px}
            h1{font-size:24px;margin:0 0 2px;letter-spacing:-.01em}
            .sub{color:var(--muted);font-size:13px}
            h2{font-size:18px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
            h3{font-size:15px;margin:20px 0 6px}
            .verdict{margin:18px 0;padding:12px 16px;border-radius:6px;font-size:15px;font-weight:600}
            .verdict.fail{background:#fef3f2;border:1px solid #fda29b;color:var(--red)}
            .verdict.pass{background:#ecfdf3;border:1px solid #75e0a7;color:var(--green)}
            .verdict .detail{display:block;font-weight:400;color:var(--fg);font-size:13px;margin-top:2px}
            .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:10px}
            .card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fff}
            .card .k{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em}
            .card .v{font-size:21px;font-weight:600;font-variant-numeric:tabular-nums;white-space:nowrap}
            .card.bad .v{color:var(--red)} .card.warn .v{color:var(--amber)} .card.good .v{color:var(--green)}
            table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 10px}
            th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
            th{background:var(--alt);font-weight:600}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tbody tr:nth-child(even){background:#fbfcfd}
            code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;\
            font-size:12.5px}
            pre{margin:4px 0 8px;padding:8px 10px;background:var(--alt);border:1px solid var(--line);\
            border-radius:4px;white-space:pre-wrap;word-break:break-all}
            pre.cmd{background:#0f172a;color:#e2e8f0;border-color:#0f172a}
            .grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
            .finding{border:1px solid var(--line);border-left:4px solid var(--red);border-radius:4px;\
            padding:6px 12px 4px;margin:8px 0}
            .finding.known{border-left-color:var(--amber)}
            .fhead{font-weight:600} .fno{color:var(--muted);font-variant-numeric:tabular-nums}
            .meta{display:flex;flex-wrap:wrap;gap:2px 16px;font-size:12.5px;margin:2px 0 4px}
            .meta .k{color:var(--muted)}
            h3.group{margin:18px 0 4px}
            details{margin:2px 0 4px} details>summary{font-size:12.5px}
            .tag{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;\
            border:1px solid currentColor;margin-right:4px}
            .tag.red{color:var(--red)} .tag.amber{color:var(--amber)} .tag.green{color:var(--green)}\
             .tag.grey{color:var(--muted)}
            .note{color:var(--muted);font-size:13px}
            .warnings{background:#fffaeb;border:1px solid #fec84b;border-radius:6px;padding:8px 14px}
            svg.chart{display:block;max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px;\
            background:#fff}
            details>summary{cursor:pointer;color:var(--blue)}
            footer{margin-top:40px;padding-top:8px;border-top:1px solid var(--line);color:var(--muted);\
            font-size:12px}
            """;

    private HtmlReport() {
    }

    /**
     * Renders the report. {@code jcstress} and {@code profile} may be null (no stress summary, no
     * recording); {@code inputs} are the folders as the user named them.
     */
    public static String render(CampaignSummary s, JcstressSummary jcstress, JfrProfile profile, List<String> inputs,
            Instant generated) {
        Html h = new Html();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<title>").text("dm-era campaign report: " + String.join(", ", s.variants())
                        + (s.failed() ? " — FAIL" : " — PASS")).raw("</title>\n")
                .raw("<style>\n").raw(CSS).raw("</style>\n</head>\n<body>\n<main>\n");
        header(h, s, generated);
        verdict(h, s);
        figures(h, s);
        warnings(h, s);
        oraclesAndDefects(h, s);
        charts(h, s);
        shards(h, s);
        findings(h, "Violations", "violations", s.violations(), false);
        findings(h, "Known upstream issues", "known", s.known(), true);
        if (jcstress != null) {
            jcstress(h, jcstress);
        }
        if (profile != null) {
            profile(h, profile);
        }
        h.raw("<footer>").text("Generated by era-testbed report from " + String.join(", ", inputs) + " at "
                + generated.truncatedTo(ChronoUnit.SECONDS) + ". Self-contained: no scripts, fonts or images "
                + "are loaded.").raw("</footer>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(Html h, CampaignSummary s, Instant generated) {
        h.raw("<header>\n<h1>dm-era fault-injection campaign report</h1>\n<div class=\"sub\">");
        h.text("variant " + String.join(", ", s.variants()) + " · seed "
                + s.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")) + " · "
                + s.shards().size() + (s.shards().size() == 1 ? " shard" : " shards") + " · tool "
                + s.shards().stream().map(r -> r.campaign().toolVersion()).distinct()
                        .collect(Collectors.joining(", "))
                + " · started " + s.shards().stream().map(r -> r.campaign().startTime()).sorted().findFirst()
                        .orElse("-")
                + " · generated " + generated.truncatedTo(ChronoUnit.SECONDS));
        h.raw("</div>\n</header>\n");
    }

    private static void verdict(Html h, CampaignSummary s) {
        if (s.failed()) {
            long oracles = s.byOracle().values().stream().filter(n -> n > 0).count();
            h.raw("<div class=\"verdict fail\" id=\"verdict\">");
            h.text("FAIL — " + s.violations().size() + (s.violations().size() == 1 ? " violation" : " violations")
                    + " of " + oracles + (oracles == 1 ? " oracle" : " oracles"));
        } else {
            h.raw("<div class=\"verdict pass\" id=\"verdict\">");
            h.text("PASS — no violation in " + Text.count(s.statesChecked()) + " crash states of "
                    + Text.count(s.runs()) + " runs");
        }
        h.raw("<span class=\"detail\">");
        long device = s.knownFromDeviceFaults();
        h.text(s.known().isEmpty() ? "No known upstream issue was hit."
                : (s.known().size() - device) + " findings are known upstream issues and " + device
                        + " are explained by injected device faults (listed below, not counted as failures).");
        h.raw("</span></div>\n");
    }

    private static void figures(Html h, CampaignSummary s) {
        long done = s.shards().stream().filter(CampaignSummary.ShardRow::done).count();
        h.raw("<section class=\"cards\" id=\"figures\">\n");
        card(h, "runs", Text.count(s.runs()), null);
        card(h, "crash states checked", Text.count(s.statesChecked()), null);
        cardMarkup(h, "crash states possible", power(Text.count(s.statesTotal())), s.statesTotal().toString(), null);
        card(h, "elapsed", Text.duration(s.elapsedMs()), null);
        card(h, "violations", Text.count(s.violations().size()), s.failed() ? "bad" : "good");
        card(h, "known issues", Text.count(s.known().size()), s.known().isEmpty() ? null : "warn");
        card(h, "shards done", done + " / " + s.shards().size(), done == s.shards().size() ? null : "warn");
        h.raw("</section>\n");
    }

    private static void card(Html h, String key, String value, String cls) {
        cardMarkup(h, key, Html.esc(value), value, cls);
    }

    private static void cardMarkup(Html h, String key, String markup, String exact, String cls) {
        h.raw("<div class=\"card" + (cls == null ? "" : " " + cls) + "\" title=\"").text(exact)
                .raw("\"><div class=\"k\">").text(key).raw("</div><div class=\"v\">").raw(markup)
                .raw("</div></div>\n");
    }

    /** "1.99 × 10^41" with the exponent raised. */
    static String power(String formatted) {
        int caret = formatted.indexOf('^');
        return caret < 0 ? Html.esc(formatted)
                : Html.esc(formatted.substring(0, caret)) + "<sup>" + Html.esc(formatted.substring(caret + 1))
                        + "</sup>";
    }

    private static void warnings(Html h, CampaignSummary s) {
        List<String> w = new ArrayList<>();
        for (CampaignSummary.ShardRow r : s.unfinished()) {
            w.add("Shard " + r.campaign().shard() + " (" + r.folder() + ") has no done record: the campaign is "
                    + "still running or was stopped; rerun it with the same parameters to resume.");
        }
        w.addAll(s.warnings());
        if (w.isEmpty()) {
            return;
        }
        h.raw("<h2>Warnings</h2>\n<div class=\"warnings\"><ul>\n");
        for (String line : w) {
            h.el("li", line).raw("\n");
        }
        h.raw("</ul></div>\n");
    }

    private static void oraclesAndDefects(Html h, CampaignSummary s) {
        h.raw("<h2 id=\"oracles\">Oracles and defects</h2>\n<div class=\"grid2\">\n<div>\n<h3>Violations by oracle</h3>\n");
        Col[] oc = {Col.text("oracle"), Col.num("violations"), Col.text("what it checks")};
        h.table(null, oc);
        s.byOracle().forEach((oracle, n) -> h.row(oc, oracle, Text.count(n),
                ORACLE_MEANING.getOrDefault(oracle, "")));
        h.endTable().raw("</div>\n<div>\n<h3>Findings by defect</h3>\n");
        Map<String, int[]> defects = new TreeMap<>();
        s.byDefect().forEach((d, n) -> defects.computeIfAbsent(d, k -> new int[2])[0] = n);
        s.knownByDefect().forEach((d, n) -> defects.computeIfAbsent(d, k -> new int[2])[1] = n);
        Col[] dc = {Col.text("defect"), Col.num("violations"), Col.num("known issue")};
        h.table(null, dc);
        defects.forEach((d, n) -> h.row(dc, d, Text.count(n[0]), Text.count(n[1])));
        if (defects.isEmpty()) {
            h.raw("<tr><td colspan=\"3\" class=\"note\">no findings</td></tr>\n");
        }
        h.endTable().raw("</div>\n</div>\n");

        h.raw("<h3>Time to first detection</h3>\n");
        if (s.detections().isEmpty()) {
            h.raw("<p class=\"note\">Nothing was detected.</p>\n");
            return;
        }
        Col[] tc = {Col.text("defect"), Col.text("kind"), Col.text("oracle"), Col.num("first after"),
            Col.text("where"), Col.num("findings")};
        h.table(null, tc);
        for (CampaignSummary.Detection d : s.detections()) {
            h.row(tc, d.defect(), d.known() ? "known issue" : "violation", d.oracle(), Text.duration(d.tMs()),
                    "shard " + d.shard() + ", run " + d.run(), Text.count(d.count()));
        }
        h.endTable();
    }

    private static void charts(Html h, CampaignSummary s) {
        h.raw("<h2 id=\"charts\">Progress and crash points</h2>\n");
        List<SvgChart.Series> series = new ArrayList<>();
        if (s.timelines().size() > 1) {
            series.add(total(s.timelines()));
        }
        if (s.timelines().size() <= SvgChart.PALETTE.length) {
            int i = s.timelines().size() > 1 ? 1 : 0;
            for (CampaignSummary.Timeline t : s.timelines()) {
                series.add(series(t.label(), t.points(), SvgChart.PALETTE[i++ % SvgChart.PALETTE.length],
                        s.timelines().size() > 1 ? 1.5 : 2.5));
            }
        }
        List<SvgChart.Marker> markers = new ArrayList<>();
        for (CampaignSummary.Detection d : s.detections()) {
            if (!d.known() && markers.size() < 24) {
                markers.add(new SvgChart.Marker(d.tMs(), d.defect() + " (" + d.oracle() + "), first after "
                        + Text.duration(d.tMs()), "#b42318"));
            }
        }
        h.raw(SvgChart.lineChart("Crash states checked over time", series, markers, "crash states checked", 340));
        h.raw("<p class=\"note\">Cumulative crash states checked, from each run record's completion time; "
                + "dashed red lines mark the first detection of each defect.</p>\n");

        List<String> kinds = new ArrayList<>(s.crashKinds().keySet());
        List<String> sub = new ArrayList<>();
        long[] violations = new long[kinds.size()];
        long[] known = new long[kinds.size()];
        for (int i = 0; i < kinds.size(); i++) {
            CampaignSummary.KindRow r = s.crashKinds().get(kinds.get(i));
            violations[i] = r.violations();
            known[i] = r.known();
            sub.add(Text.count(r.runs()) + (r.runs() == 1 ? " run" : " runs"));
        }
        h.raw(SvgChart.barChart("Findings by crash point kind", kinds, sub,
                List.of(new SvgChart.Bars("violations", violations, "#b42318"),
                        new SvgChart.Bars("known issues", known, "#d68910")), "findings", 300));
        h.raw("<p class=\"note\">Where the run's crash was placed: at a metadata flush boundary, between the "
                + "steps of a commit, at a random step, or not at all.</p>\n");
    }

    private static SvgChart.Series series(String label, List<CampaignSummary.Point> points, String color,
            double width) {
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = points.get(i).tMs();
            ys[i] = points.get(i).states();
        }
        return new SvgChart.Series(label, xs, ys, color, width);
    }

    /** All shards together, as they ran side by side: the sum of their counts at each run's completion. */
    private static SvgChart.Series total(List<CampaignSummary.Timeline> timelines) {
        TreeMap<Long, Long> deltas = new TreeMap<>();
        for (CampaignSummary.Timeline t : timelines) {
            long prev = 0;
            for (CampaignSummary.Point p : t.points()) {
                deltas.merge(p.tMs(), p.states() - prev, Long::sum);
                prev = p.states();
            }
        }
        List<CampaignSummary.Point> points = new ArrayList<>();
        long sum = 0;
        for (Map.Entry<Long, Long> e : deltas.entrySet()) {
            sum += e.getValue();
            points.add(new CampaignSummary.Point(e.getKey(), sum));
        }
        return series("all shards", points, "#1b1f24", 2.5);
    }

    private static void shards(Html h, CampaignSummary s) {
        h.raw("<h2 id=\"shards\">Campaign shards</h2>\n");
        Col[] c = {Col.text("shard"), Col.text("variant"), Col.num("seed"), Col.text("budget"), Col.text("started"),
            Col.num("runs"), Col.num("states checked"), Col.num("elapsed"), Col.text("state"), Col.num("violations"),
            Col.num("known"), Col.text("folder")};
        h.table(null, c);
        for (CampaignSummary.ShardRow r : s.shards()) {
            h.row(c, r.campaign().shard(), r.campaign().variant(), Long.toString(r.campaign().seed()),
                    r.campaign().budget(), r.campaign().startTime().replace('T', ' '), Text.count(r.runs()),
                    Text.count(r.statesChecked()), Text.duration(r.elapsedMs()), r.done() ? "done" : "not finished",
                    Text.count(r.violations()), Text.count(r.known()), r.folder().toString());
        }
        h.endTable();
    }

    /**
     * Findings grouped by defect (in order of first detection), each with its reproducer and shrunk script;
     * the script is open for the first finding of a group and folded for the others, which usually repeat it.
     */
    private static void findings(Html h, String title, String id, List<Finding> findings, boolean known) {
        h.raw("<h2 id=\"" + id + "\">").text(title + " (" + findings.size() + ")").raw("</h2>\n");
        if (findings.isEmpty()) {
            h.el("p", "note", known ? "None." : "None: every checked crash state satisfied every oracle.")
                    .raw("\n");
            return;
        }
        if (known) {
            h.el("p", "note", "Findings the variant is known to have (e.g. upstream's M1). Each replays with its "
                    + "command; they are not failures of this campaign.").raw("\n");
        }
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        findings.stream().sorted(Comparator.comparingLong(Finding::tMs))
                .forEach(f -> groups.computeIfAbsent(defectOf(f) + "\u0000" + f.oracle(), k -> new ArrayList<>())
                        .add(f));
        int n = 0;
        for (List<Finding> group : groups.values()) {
            Finding first = group.get(0);
            h.raw("<h3 class=\"group\"><span class=\"tag " + (known ? "amber" : "red") + "\">").text(first.oracle())
                    .raw("</span> <span class=\"mono\">").text(defectOf(first)).raw("</span> <span class=\"note\">")
                    .text(group.size() + (group.size() == 1 ? " finding" : " findings")).raw("</span></h3>\n");
            boolean firstOfGroup = true;
            for (Finding f : group) {
                if (++n > MAX_FINDINGS_SHOWN) {
                    h.el("p", "note", (findings.size() - MAX_FINDINGS_SHOWN) + " more are in the results files "
                            + "(summary.json lists them all).").raw("\n");
                    return;
                }
                finding(h, n, f, known, firstOfGroup);
                firstOfGroup = false;
            }
        }
    }

    private static String defectOf(Finding f) {
        return f.defect() == null ? CampaignSummary.UNATTRIBUTED : f.defect();
    }

    private static void finding(Html h, int n, Finding f, boolean known, boolean scriptOpen) {
        h.raw("<article class=\"finding" + (known ? " known" : "") + "\">\n<div class=\"fhead\">");
        h.raw("<span class=\"fno\">").text("#" + n).raw("</span> ").text(f.message()).raw("</div>\n");
        h.raw("<div class=\"meta\">");
        meta(h, "variant", f.variant());
        meta(h, "shard", f.shard());
        meta(h, "run", Integer.toString(f.run()));
        meta(h, "seed", Long.toString(f.seed()));
        meta(h, "crash point", f.crashPoint());
        meta(h, "crash state", f.state());
        meta(h, "found after", Text.duration(f.tMs()));
        h.raw("</div>\n<pre class=\"cmd\">").text("$ " + f.reproduce()).raw("</pre>\n");
        h.raw(scriptOpen ? "<details class=\"script\" open>" : "<details class=\"script\">").raw("<summary>")
                .text("shrunk workload (" + f.script().lines().count() + " lines)").raw("</summary>\n<pre>")
                .text(f.script()).raw("</pre></details>\n");
        List<Integer> sched = f.schedule();
        h.raw("<details><summary>").text("scheduler choices (" + sched.size() + ")").raw("</summary><pre>");
        String shown = sched.stream().limit(MAX_SCHEDULE_SHOWN).map(String::valueOf)
                .collect(Collectors.joining(" "));
        h.text(shown + (sched.size() > MAX_SCHEDULE_SHOWN ? " … (" + (sched.size() - MAX_SCHEDULE_SHOWN)
                + " more; the reproducer replays all)" : "")).raw("</pre></details>\n</article>\n");
    }

    private static void meta(Html h, String key, String value) {
        h.raw("<span><span class=\"k\">").text(key).raw("</span> ").text(value).raw("</span>");
    }

    private static void jcstress(Html h, JcstressSummary j) {
        h.raw("<h2 id=\"jcstress\">Stress suite (jcstress)</h2>\n");
        h.el("p", "note", "From " + j.source() + ": " + j.tests().size() + " tests; "
                + j.byResult().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")) + ".").raw("\n");
        for (JcstressSummary.Test t : j.tests()) {
            String color = switch (t.result()) {
                case "PASSED" -> "green";
                case "INTERESTING" -> "amber";
                default -> "red";
            };
            h.raw("<h3><span class=\"tag " + color + "\">").text(t.result()).raw("</span> <span class=\"mono\">")
                    .text(t.test()).raw("</span> <span class=\"note\">")
                    .text(Text.count(t.samples()) + " samples").raw("</span></h3>\n");
            Col[] c = {Col.text("observed state"), Col.text("expectation"), Col.num("occurrences"),
                Col.num("share"), Col.text("interpretation")};
            h.table(null, c);
            for (JcstressSummary.Outcome o : t.outcomes()) {
                h.row(c, o.state(), o.expect(), Text.count(o.observed()), Text.percent(o.observed(), t.samples()),
                        o.description());
            }
            h.endTable();
            if (!t.configurations().isEmpty()) {
                h.raw("<details><summary>").text(t.configurations().size() + " JVM configurations")
                        .raw("</summary>\n");
                Col[] cc = {Col.text("JVM options"), Col.text("status"), Col.num("samples")};
                h.table(null, cc);
                for (JcstressSummary.Configuration conf : t.configurations()) {
                    h.row(cc, conf.jvmOptions(), conf.status(), Text.count(conf.samples()));
                }
                h.endTable().raw("</details>\n");
            }
        }
    }

    private static void profile(Html h, JfrProfile p) {
        h.raw("<h2 id=\"profile\">Profile (JFR)</h2>\n");
        h.el("p", "note", p.recordings() + (p.recordings() == 1 ? " recording" : " recordings") + " over "
                + Text.duration(p.span().toMillis()) + ": " + Text.count(p.executionSamples()) + " execution samples, "
                + Text.bytes(p.allocationBytes()) + " of sampled allocation, " + p.gcPauses() + " collections "
                + "pausing " + ms(p.gcPauseTotal()) + " in total (longest " + ms(p.gcPauseMax()) + ").").raw("\n");
        h.raw("<div class=\"grid2\">\n<div>\n<h3>Hot methods (top frame)</h3>\n");
        rows(h, "method", "samples", p.hotMethods(), p.executionSamples(), false);
        h.raw("</div>\n<div>\n<h3>Nearest era-testbed frame</h3>\n");
        rows(h, "method", "samples", p.projectMethods(), p.executionSamples(), false);
        h.raw("</div>\n</div>\n<h3>Allocation by class (sampled weight)</h3>\n");
        rows(h, "class", "bytes", p.allocations(), p.allocationBytes(), true);
        h.raw("<div class=\"grid2\">\n<div>\n<h3>Garbage collections</h3>\n");
        gc(h, "collector", p.collections(), true);
        h.raw("</div>\n<div>\n<h3>GC pause phases</h3>\n");
        gc(h, "phase", p.pausePhases(), false);
        h.raw("</div>\n</div>\n");
    }

    private static void rows(Html h, String what, String unit, List<JfrProfile.Row> rows, long whole,
            boolean bytes) {
        Col[] c = {Col.text(what), Col.num(unit), Col.num("share")};
        h.table("profile", c);
        for (JfrProfile.Row r : rows) {
            h.row(c, r.name(), bytes ? Text.bytes(r.count()) : Text.count(r.count()), Text.percent(r.count(), whole));
        }
        if (rows.isEmpty()) {
            h.raw("<tr><td colspan=\"3\" class=\"note\">no events in the recording</td></tr>\n");
        }
        h.endTable();
    }

    private static void gc(Html h, String what, List<JfrProfile.GcRow> rows, boolean cause) {
        Col[] c = cause ? new Col[] {Col.text(what), Col.text("cause"), Col.num("count"), Col.num("total pause"),
            Col.num("longest")} : new Col[] {Col.text(what), Col.num("count"), Col.num("total"), Col.num("longest")};
        h.table(null, c);
        for (JfrProfile.GcRow r : rows) {
            if (cause) {
                h.row(c, r.name(), r.cause(), Text.count(r.count()), ms(r.total()), ms(r.longest()));
            } else {
                h.row(c, r.name(), Text.count(r.count()), ms(r.total()), ms(r.longest()));
            }
        }
        if (rows.isEmpty()) {
            h.raw("<tr><td colspan=\"" + c.length + "\" class=\"note\">none recorded</td></tr>\n");
        }
        h.endTable();
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.2f ms", d.toNanos() / 1e6);
    }
}
