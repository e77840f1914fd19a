package org.eratestbed.cli;

import java.io.PrintWriter;
import java.util.concurrent.locks.LockSupport;

/**
 * The command line in a child JVM, for {@link CampaignKillTest}: runs {@link EraTestbed#execute} on the main
 * thread while a daemon thread samples the main thread's stack every half millisecond and prints a line
 * {@code @phase NAME} to standard output whenever what it is doing changes (a run, attribution, shrinking,
 * writing a reproducer folder, appending to the log, rendering the report). The test reads those lines and
 * kills this JVM with SIGKILL in the phase it wants. Sampling only looks: it changes nothing the campaign does.
 */
final class ObservedCampaign {
    static final String PREFIX = "@phase ";

    private ObservedCampaign() {
    }

    public static void main(String[] args) {
        Thread main = Thread.currentThread();
        PrintWriter out = new PrintWriter(System.out, true);
        Thread observer = new Thread(() -> {
            String last = "";
            while (main.isAlive()) {
                String phase = phase(main.getStackTrace());
                if (!phase.equals(last)) {
                    last = phase;
                    synchronized (out) {
                        out.println(PREFIX + phase);
                    }
                }
                LockSupport.parkNanos(500_000);
            }
        }, "phase-observer");
        observer.setDaemon(true);
        observer.start();
        int code = EraTestbed.execute(args, out, new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** The innermost frame that names a phase decides; outside all of them, "other". */
    static String phase(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            String m = f.getMethodName();
            if (c.endsWith(".ResultLog") && m.equals("append")) {
                return "append";
            }
            if (c.endsWith(".FindingFolder") || c.endsWith(".Triage") && m.equals("writeReproducer")) {
                return "write-finding";
            }
            if (c.endsWith(".Shrinker") && m.equals("shrink")) {
                return "shrink";
            }
            if (c.endsWith(".Attribution") && m.equals("cause")) {
                return "attribute";
            }
            if (c.endsWith(".ReportGenerator")) {
                return "report";
            }
            if (c.endsWith(".Campaign") && m.equals("run")) {
                return "run";
            }
        }
        return "other";
    }
}
