package org.eratestbed.fault.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Decides whether QEMU runs the guest with KVM or TCG. {@code /dev/kvm} being there is not enough (on some
 * hosts guests hang under KVM or QEMU aborts on an MSR write), so KVM is chosen only when a probe boot of
 * the real guest answers within a short time. The answer is remembered for the host's current boot
 * (keyed by its boot id) so that only the first run pays for a failing probe. {@code ERA_TESTBED_ACCEL=tcg}
 * or {@code kvm} overrides the probe.
 */
public final class AccelProbe {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    /** The choice and why it was made. */
    public record Detection(KernelGuest.Accel accel, String reason) {
    }

    private AccelProbe() {
    }

    public static Detection detect(KernelSetup.GuestImage image) {
        String forced = System.getenv("ERA_TESTBED_ACCEL");
        if (forced != null && !forced.isBlank()) {
            return new Detection(KernelGuest.Accel.valueOf(forced.strip().toUpperCase()),
                    "ERA_TESTBED_ACCEL=" + forced.strip());
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return new Detection(KernelGuest.Accel.TCG, "no /dev/kvm");
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return new Detection(KernelGuest.Accel.TCG, "/dev/kvm is not usable by this user");
        }
        String bootId = bootId();
        Path memo = KernelSetup.cacheDir().resolve("accel");
        try {
            if (Files.isRegularFile(memo)) {
                String[] saved = Files.readString(memo, StandardCharsets.UTF_8).strip().split(" ", 3);
                if (saved.length == 3 && saved[0].equals(bootId)) {
                    return new Detection(KernelGuest.Accel.valueOf(saved[1]), saved[2] + " (probed earlier)");
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // An unreadable memo is probed again.
        }
        Detection d;
        long t0 = System.nanoTime();
        try (KernelGuest g = KernelGuest.boot(image, KernelGuest.Accel.KVM, PROBE_TIMEOUT)) {
            d = new Detection(KernelGuest.Accel.KVM, "a KVM probe boot answered in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (KernelException e) {
            d = new Detection(KernelGuest.Accel.TCG, "/dev/kvm is there but a KVM probe boot failed ("
                    + (e.getMessage().length() > 120 ? e.getMessage().substring(0, 120) + "…" : e.getMessage()) + ")");
        }
        try {
            Files.createDirectories(memo.getParent());
            Files.writeString(memo, bootId + " " + d.accel() + " " + d.reason().replace('\n', ' '),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Not remembered: the next run probes again.
        }
        return d;
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
