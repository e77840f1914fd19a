package org.eratestbed.fault.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One boot of the guest under QEMU, driven over its serial console with the line protocol of our
 * {@code /init} (see init.sh): the host sends one request a line, the guest answers between markers. A command
 * that does not end within its wait is answered "blocked" and can be polled later, so a command the kernel
 * blocks never stalls the console. Every wait has a deadline; a guest that dies or stops answering is a
 * {@link KernelException} with the console's last lines, and QEMU is killed on {@link #close}, on
 * {@link #kill} and at JVM exit.
 */
public final class KernelGuest implements AutoCloseable {
    /** How QEMU runs the guest. */
    public enum Accel {
        KVM, TCG
    }

    /** What one command gave, or that it is still running ({@code blocked}). */
    public record Reply(int id, boolean blocked, int exitCode, List<String> out, List<String> err,
            List<String> kernel) {
        public boolean ok() {
            return !blocked && exitCode == 0;
        }
    }

    /** An answer (or the guest's end) must come this long after the command's own wait. */
    private static final Duration ANSWER_SLACK = Duration.ofSeconds(60);
    private static final String EOF = "\u0000EOF";
    private static final int TAIL = 40;

    private final Process qemu;
    private final OutputStream console;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread killAtExit;
    private final String release;
    private final Duration bootTime;
    private int nextId = 1;
    private boolean dead;

    private KernelGuest(Process qemu, Duration bootTimeout) {
        this.qemu = qemu;
        this.console = qemu.getOutputStream();
        this.killAtExit = new Thread(qemu::destroyForcibly, "kill QEMU at exit");
        Runtime.getRuntime().addShutdownHook(killAtExit);
        Thread reader = new Thread(this::readConsole, "QEMU console");
        reader.setDaemon(true);
        reader.start();
        long t0 = System.nanoTime();
        String ready;
        try {
            ready = awaitLine(l -> l.startsWith("@@READY") || l.startsWith("@@FAILED"), bootTimeout, "the boot");
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
        if (ready.startsWith("@@FAILED")) {
            kill();
            throw new KernelException("guest boot failed: " + ready.substring(2) + "; console: " + tail());
        }
        this.release = ready.substring("@@READY".length()).strip();
        this.bootTime = Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Boots the guest and waits until its /init answers (or {@code bootTimeout} passes: then QEMU is killed). */
    public static KernelGuest boot(KernelSetup.GuestImage image, Accel accel, Duration bootTimeout) {
        java.nio.file.Path qemuBin = HostTools.require("qemu-system-x86_64");
        List<String> cmd = new ArrayList<>(List.of(qemuBin.toString()));
        if (accel == Accel.KVM) {
            cmd.addAll(List.of("-accel", "kvm", "-cpu", "host"));
        } else {
            cmd.addAll(List.of("-accel", "tcg"));
        }
        cmd.addAll(List.of("-m", "512", "-smp", "1", "-nodefaults", "-no-user-config",
                "-kernel", image.vmlinux().toString(), "-initrd", image.initramfs().toString(),
                // quiet + printk.time=0: a clean console, and kernel lines without timestamps for dmesg.
                "-append", "console=ttyS0 panic=-1 quiet printk.time=0",
                // virtio-net: e1000 takes seconds to bring its link up under TCG; no option ROM: no network boot.
                "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,romfile=",
                "-nographic", "-serial", "stdio", "-monitor", "none", "-no-reboot"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            return new KernelGuest(pb.start(), bootTimeout);
        } catch (IOException e) {
            throw new KernelException("cannot start QEMU: " + e.getMessage(), e);
        }
    }

    private void readConsole() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(qemu.getInputStream(),
                StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                l = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
                // The firmware ends its last line without a newline, so the first marker can follow it.
                int at = l.indexOf("@@");
                if (at > 0 && !l.startsWith("O:") && !l.startsWith("E:") && !l.startsWith("K:")) {
                    l = l.substring(at);
                }
                lines.add(l);
            }
        } catch (IOException e) {
            // QEMU went away: the end marker below tells whoever waits.
        }
        lines.add(EOF);
    }

    /** The kernel release the guest runs ({@code uname -r}). */
    public String release() {
        return release;
    }

    /** From starting QEMU to /init's first answer. */
    public Duration bootTime() {
        return bootTime;
    }

    public boolean alive() {
        return !dead && qemu.isAlive();
    }

    /**
     * Runs a shell command line in the guest; waits up to {@code wait} for it to end, after which it is
     * reported blocked and keeps running (see {@link #poll}).
     */
    public Reply run(String command, Duration wait) {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a guest command is one line: " + command);
        }
        int id = nextId++;
        send("run " + id + " " + tenths(wait) + " " + command);
        return answer(id, wait);
    }

    /** Waits up to {@code wait} more for a command that was reported blocked. */
    public Reply poll(int id, Duration wait) {
        send("poll " + id + " " + tenths(wait));
        return answer(id, wait);
    }

    private static long tenths(Duration d) {
        return Math.max(1, d.toMillis() / 100);
    }

    private void send(String line) {
        if (!alive()) {
            throw new KernelException("the guest is not running (console: " + tail() + ")");
        }
        try {
            console.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            console.flush();
        } catch (IOException e) {
            dead = true;
            throw new KernelException("the guest's console is closed: " + e.getMessage() + " (console: " + tail() + ")", e);
        }
    }

    private Reply answer(int id, Duration wait) {
        Duration limit = wait.plus(ANSWER_SLACK);
        String first = awaitLine(l -> l.equals("@@BLOCKED " + id) || l.startsWith("@@BEGIN " + id + " "), limit,
                "command " + id);
        if (first.startsWith("@@BLOCKED")) {
            return new Reply(id, true, -1, List.of(), List.of(), List.of());
        }
        int rc = Integer.parseInt(first.substring(("@@BEGIN " + id + " ").length()).strip());
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        List<String> kernel = new ArrayList<>();
        while (true) {
            String l = awaitLine(x -> true, limit, "the end of command " + id + "'s answer");
            if (l.equals("@@END " + id)) {
                return new Reply(id, false, rc, out, err, kernel);
            }
            if (l.startsWith("O:")) {
                out.add(l.substring(2));
            } else if (l.startsWith("E:")) {
                err.add(l.substring(2));
            } else if (l.startsWith("K:")) {
                kernel.add(l.substring(2));
            } else {
                noise(l);
            }
        }
    }

    private String awaitLine(java.util.function.Predicate<String> wanted, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) {
                    kill();
                    throw new KernelException("the guest did not answer " + what + " within " + limit.toSeconds()
                            + " s; QEMU killed (console: " + tail() + ")");
                }
                if (l.equals(EOF)) {
                    dead = true;
                    lines.add(EOF);
                    throw new KernelException("the guest died waiting for " + what + " (console: " + tail() + ")");
                }
                if (wanted.test(l)) {
                    return l;
                }
                noise(l);
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new KernelException("interrupted waiting for " + what, e);
        }
    }

    private void noise(String l) {
        tail.addLast(l);
        while (tail.size() > TAIL) {
            tail.removeFirst();
        }
    }

    private String tail() {
        return tail.isEmpty() ? "nothing" : String.join(" | ", tail);
    }

    /** Stops the guest at once, as a power cut would: nothing the guest holds in memory is written. */
    public void kill() {
        dead = true;
        qemu.destroyForcibly();
        try {
            qemu.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeHook();
    }

    /** Powers the guest off (poweroff -f, no clean-up inside), then makes sure QEMU is gone. */
    @Override
    public void close() {
        if (alive()) {
            try {
                send("bye");
                qemu.waitFor(5, TimeUnit.SECONDS);
            } catch (KernelException e) {
                // Already gone: kill() below makes sure.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kill();
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs anyway.
        }
    }
}
