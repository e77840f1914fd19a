package org.eratestbed.fault.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eratestbed.model.era.defect.Defect;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * BOOTS A QEMU VM: testbed-message-before-preresume on the real kernel. A table of two era targets is
 * resumed while the first target's metadata device (a dm-linear) is suspended, so the first preresume waits
 * on its commit: dm core has swapped the table in, and the second target's preresume has not run. A
 * checkpoint message to the second target then runs its worker, whose rollover memsets in-core writeset bits
 * that only preresume's metadata_resize allocates: the kernel oopses in the kworker and the message never
 * returns. The second target's metadata was used before (nr_blocks 512 on disk), else the memset has no
 * bytes to write. The run's record is in {@code kernel-findings/message-before-preresume/}.
 */
@Tag("vm")
class KernelMessageBeforePreresumeVmTest {
    /** The commands, one a line, as the evidence's script.sh has them (the resume and message are background). */
    static final List<String> SETUP = List.of(
            "dmsetup create meta0 --table '0 8192 linear /dev/nbd0 0'",
            "dmsetup create meta1 --table '0 8192 linear /dev/nbd0 8192'",
            "dmsetup create origin0 --table '0 65536 linear /dev/nbd1 0'",
            "dmsetup create origin1 --table '0 65536 linear /dev/nbd1 65536'",
            "dmsetup create used --table '0 65536 era /dev/mapper/meta1 /dev/mapper/origin1 128'",
            "dmsetup remove used",
            "dmsetup create victim --notable",
            "printf '0 65536 era /dev/mapper/meta0 /dev/mapper/origin0 128\\n65536 65536 era /dev/mapper/meta1"
                    + " /dev/mapper/origin1 128\\n' | dmsetup load victim",
            "dmsetup suspend meta0");

    @Test
    void aMessageBetweenTheSwapAndPreresumeOopsesTheKernel() throws Exception {
        Assumptions.assumeTrue(HostTools.find("qemu-system-x86_64") != null,
                "qemu-system-x86_64 is not installed (Debian package qemu-system-x86): no VM to boot");
        KernelSetup.GuestImage image = KernelSetup.setup(System.out::println);
        KernelGuest.Accel accel = AccelProbe.detect(image).accel();
        try (SimDiskExports exports = new SimDiskExports()) {
            exports.create("meta", 16L << 20, null);
            exports.create("origin", 64L << 20, null);
            try (KernelGuest g = KernelGuest.boot(image, accel, Duration.ofSeconds(accel == KernelGuest.Accel.KVM ? 60 : 180))) {
                int port = exports.port();
                ok(g, "nbd-client -N meta 10.0.2.2 " + port + " /dev/nbd0 && nbd-client -N origin 10.0.2.2 " + port
                        + " /dev/nbd1");
                for (String c : SETUP) {
                    ok(g, c);
                }
                KernelGuest.Reply resume = g.run("dmsetup resume victim", Duration.ofSeconds(3));
                assertTrue(resume.blocked(), "the resume waits in the first target's preresume: " + resume);
                KernelGuest.Reply table = ok(g, "dmsetup info victim | grep -E 'State|Tables'");
                assertEquals(List.of("State:             SUSPENDED", "Tables present:    LIVE"), table.out(),
                        "the new table is live, the device not resumed yet");
                KernelGuest.Reply message = g.run("dmsetup message victim 65536 checkpoint", Duration.ofSeconds(15));
                assertTrue(message.blocked(), "the message never returns (its RPC's worker died): " + message);
                List<String> oops = new ArrayList<>();
                for (int i = 0; i < 10 && oops.stream().noneMatch(l -> l.contains("end trace")); i++) {
                    oops = kernelLog(g);
                }
                String log = String.join("\n", oops(oops));
                assertTrue(log.contains("BUG: kernel NULL pointer dereference"), log);
                assertTrue(log.contains("metadata_era_rollover"), log);
                assertTrue(log.contains("Workqueue: dm-era do_work [dm_era]"), log);
                System.out.println(Defect.MESSAGE_BEFORE_PRERESUME.id() + " on " + g.release() + ":\n" + log);
            }
        }
    }

    /** The oops: from its BUG line to the end of its trace (the log's last lines if it has no end yet). */
    static List<String> oops(List<String> log) {
        int from = 0;
        while (from < log.size() && !log.get(from).startsWith("BUG:")) {
            from++;
        }
        int to = from;
        while (to < log.size() && !log.get(to).startsWith("---[ end trace")) {
            to++;
        }
        return log.subList(Math.min(from, log.size()), Math.min(to + 1, log.size()));
    }

    private static KernelGuest.Reply ok(KernelGuest g, String command) {
        KernelGuest.Reply r = g.run(command, Duration.ofSeconds(30));
        assertTrue(r.ok(), command + ": " + r);
        return r;
    }

    /**
     * The kernel's log records since boot, their text only. Every guest command clears dmesg when it starts
     * (init.sh), which the oops of a command that never ended would not survive; /dev/kmsg keeps them.
     */
    private static List<String> kernelLog(KernelGuest g) {
        KernelGuest.Reply r = g.run("timeout 2 cat /dev/kmsg", Duration.ofSeconds(10));
        List<String> text = new ArrayList<>();
        for (String line : r.out()) {
            int semi = line.indexOf(';');
            text.add(semi >= 0 && !line.startsWith(" ") ? line.substring(semi + 1) : line.strip());
        }
        return text;
    }
}
