package org.eratestbed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "invalidate", mixinStandardHelpOptions = true, description = "List blocks written since an era, as era_invalidate XML.")
final class InvalidateCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new NotBuiltException("'invalidate'", 3);
    }
}
