package org.eratestbed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "reproduce", mixinStandardHelpOptions = true, description = "Reproduce reviewed races and fixed bugs from the catalogue.")
final class ReproduceCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new NotBuiltException("'reproduce'", 4);
    }
}
