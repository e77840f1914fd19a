package org.eratestbed.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the generated report in a real browser: headless Chromium loads it from a file URL without a
 * console message (the report has no script, so any console line is an error, e.g. a blocked resource),
 * its DOM holds the SVG charts, and its screenshot is a rendered page, not a blank one. Skipped only when
 * {@code /usr/bin/chromium} (Debian package {@code chromium}) is absent; CI installs it.
 */
class HeadlessChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long TIMEOUT_S = 60;

    @TempDir
    Path tmp;

    @BeforeEach
    void needChromium() {
        assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + " (Debian package 'chromium'): "
                + "the report is not opened in a browser here; CI installs it");
    }

    record Browser(int exit, String stdout, String stderr, long millis) {
        /** Console messages of the page: with --enable-logging=stderr Chromium logs them as ...:CONSOLE... */
        List<String> consoleLines() {
            return stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
        }
    }

    /** Runs headless Chromium on {@code page} with {@code extra} flags, bounded, killed in any case. */
    Browser chromium(Path page, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(extra));
        cmd.add(page.toUri().toString());
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Path err = Files.createTempFile(tmp, "chromium", ".err");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            boolean finished = p.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
            assertTrue(finished, "chromium did not finish within " + TIMEOUT_S + " s: " + String.join(" ", cmd));
            long ms = (System.nanoTime() - start) / 1_000_000;
            return new Browser(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), ms);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path report() throws IOException {
        SampleResults.write(tmp.resolve("results/shard-1"), "1/2", 42, 40, true, true);
        SampleResults.write(tmp.resolve("results/shard-2"), "2/2", 42, 33, true, true);
        Path jcstress = tmp.resolve("jcstress-summary.json");
        Files.writeString(jcstress, "{\"tool\": \"jcstress\", \"tests\": [{\"test\": \"org.eratestbed.stress."
                + "CommitRace\", \"result\": \"PASSED\", \"samples\": 1000, \"configurations\": [], \"outcomes\": "
                + "[{\"state\": \"1, 1\", \"expect\": \"ACCEPTABLE\", \"description\": \"ok\", \"observed\": 1000}]}]}");
        return ReportGenerator.generate(List.of(tmp.resolve("results")), tmp.resolve("report"), jcstress).html();
    }

    @Test
    void loadsWithoutConsoleErrorsAndRendersTheCharts() throws Exception {
        Path html = report();
        Browser dom = chromium(html, "--dump-dom");
        assertEquals(0, dom.exit(), dom.stderr());
        assertEquals(List.of(), dom.consoleLines(), "console messages while loading the report");
        assertEquals(2, ReportGeneratorTest.count(dom.stdout(), "<svg class=\"chart\""), "both charts in the DOM");
        assertTrue(dom.stdout().contains("<polyline class=\"series\""), "the states-over-time lines");
        assertTrue(dom.stdout().contains("<rect class=\"bar\""), "the crash-kind bars");
        assertTrue(dom.stdout().contains("&lt;script&gt;alert"), "the hostile script stays text in the DOM");
        assertFalse(dom.stdout().contains("<script>alert"), "no script element came from the results");
        System.out.println("chromium --dump-dom: " + dom.millis() + " ms");

        Path png = tmp.resolve("report.png");
        Browser shot = chromium(html, "--screenshot=" + png, "--window-size=1280,2000", "--hide-scrollbars");
        assertEquals(0, shot.exit(), shot.stderr());
        assertEquals(List.of(), shot.consoleLines());
        assertTrue(Files.size(png) > 10_000, "a screenshot of a full page, not an empty image: " + Files.size(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(2000, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        assertTrue(colours.size() > 50, "a rendered page has text, tables and charts: " + colours.size()
                + " colours");
        assertTrue(colours.contains(0xb42318) || colours.contains(0xfef3f2),
                "the FAIL verdict's red is on screen");
        System.out.println("chromium --screenshot: " + shot.millis() + " ms, " + colours.size() + " colours");
        Path keep = Path.of("target", "report-screenshot.png");
        Files.createDirectories(keep.getParent());
        Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The console check can fail: a page whose script throws gives console lines. */
    @Test
    void aThrowingScriptIsSeenOnTheConsole() throws Exception {
        Path page = tmp.resolve("throws.html");
        Files.writeString(page, "<!DOCTYPE html><html><body><p>x</p><script>throw new Error('boom')</script>"
                + "</body></html>");
        Browser b = chromium(page, "--dump-dom");
        assertTrue(b.consoleLines().stream().anyMatch(l -> l.contains("Uncaught Error: boom")), b.stderr());
    }
}
