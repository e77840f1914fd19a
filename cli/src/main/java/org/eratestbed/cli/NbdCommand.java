package org.eratestbed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "nbd", mixinStandardHelpOptions = true, description = "Export a simulated disk over NBD.")
final class NbdCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new NotBuiltException("'nbd'", 7);
    }
}
