package org.eratestbed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EraTestbedTest {
    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EraTestbed.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEverySubcommandOfTheDesign() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"replay", "dump", "check", "invalidate", "reproduce", "campaign", "report",
                "bench", "diff", "kernel", "nbd"}) {
            assertTrue(r.out().contains(c), "help lacks " + c + ":\n" + r.out());
        }
    }

    @Test
    void unknownOptionIsExitTwoWithOneLine() {
        Run r = run("--no-such-option");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void missingSubcommandIsExitTwo() {
        Run r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing subcommand"), r.err());
    }
}
