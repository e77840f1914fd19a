package org.eratestbed.cli;

import java.io.PrintWriter;
import org.eratestbed.device.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code era-testbed} command. Exit codes: 0 success / nothing violated, 1 a check or oracle failed,
 * 2 bad usage or bad input (one line on stderr, never a stack trace).
 */
@Command(name = "era-testbed",
        mixinStandardHelpOptions = true,
        versionProvider = EraTestbed.Version.class,
        description = "Simulation and verification testbed for the Linux device-mapper era target (dm-era).",
        subcommands = {
            ReplayCommand.class,
            DumpCommand.class,
            CheckCommand.class,
            InvalidateCommand.class,
            ReproduceCommand.class,
            CampaignCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            DiffCommand.class,
            KernelCommand.class,
            NbdCommand.class,
            CommandLine.HelpCommand.class
        })
public final class EraTestbed implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_VIOLATION = 1;
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (see --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code (used by tests too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new EraTestbed());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("era-testbed: " + ex.getMessage());
            err.flush();
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BadInputException || ex instanceof NotBuiltException) {
                err.println("era-testbed " + commandLine.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return EXIT_BAD_INPUT;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EraTestbed.class.getPackage().getImplementationVersion();
            return new String[] {"era-testbed " + (v == null ? "dev" : v)};
        }
    }
}
