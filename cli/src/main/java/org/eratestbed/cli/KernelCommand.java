package org.eratestbed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "kernel", mixinStandardHelpOptions = true, description = "Set up or inspect the QEMU guest that runs the real kernel's dm-era.")
final class KernelCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new NotBuiltException("'kernel'", 7);
    }
}
