package org.eratestbed.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.eratestbed.device.BadInputException;
import org.eratestbed.fault.kernel.AccelProbe;
import org.eratestbed.fault.kernel.HostTools;
import org.eratestbed.fault.kernel.KernelException;
import org.eratestbed.fault.kernel.KernelSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Set up or inspect the QEMU guest that runs the real kernel's dm-era.",
        subcommands = {KernelCommand.Setup.class, KernelCommand.Status.class})
final class KernelCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: setup or status");
    }

    /** The guest built earlier, or bad input that says how to build it (host tools checked first). */
    static KernelSetup.GuestImage requireGuest() {
        try {
            HostTools.require("qemu-system-x86_64");
            HostTools.require("nbdkit");
            return KernelSetup.existing().orElseThrow(() -> new BadInputException(
                    "the kernel guest is not built in " + KernelSetup.cacheDir() + ": run 'era-testbed kernel setup'"));
        } catch (KernelException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = "Download Debian's kernel package with apt-get and build the guest (vmlinux, modules, "
                    + "initramfs) into $ERA_TESTBED_CACHE/kernel (default ~/.cache/era-testbed/kernel); a second "
                    + "run reuses the cache.")
    static final class Setup implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                HostTools.require("qemu-system-x86_64");
                HostTools.require("nbdkit");
                KernelSetup.setup(out::println);
            } catch (KernelException e) {
                throw new BadInputException(e.getMessage(), e);
            }
            out.flush();
            return EraTestbed.EXIT_OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Say whether the guest is built and whether QEMU will use KVM or TCG (a KVM probe boot "
                    + "decides, once per host boot). Exit 0 ready, 1 not built yet.")
    static final class Status implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                HostTools.require("qemu-system-x86_64");
                HostTools.require("nbdkit");
                Optional<KernelSetup.GuestImage> g = KernelSetup.existing();
                if (g.isEmpty()) {
                    out.println("not ready: no guest built in " + KernelSetup.cacheDir()
                            + " (run 'era-testbed kernel setup')");
                    out.flush();
                    return EraTestbed.EXIT_VIOLATION;
                }
                out.println("ready: kernel " + g.get().kernelRelease() + ", " + g.get().vmlinux() + ", "
                        + g.get().initramfs());
                AccelProbe.Detection d = AccelProbe.detect(g.get());
                out.println("accelerator: " + d.accel() + " (" + d.reason() + ")");
            } catch (KernelException e) {
                throw new BadInputException(e.getMessage(), e);
            }
            out.flush();
            return EraTestbed.EXIT_OK;
        }
    }
}
