package org.eratestbed.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "campaign", mixinStandardHelpOptions = true, description = "Run a fault-injection campaign on the model over simulated disks.")
final class CampaignCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        throw new NotBuiltException("'campaign'", 6);
    }
}
