package org.eratestbed.fault.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the QEMU guest that runs the real dm-era: Debian's kernel package (fetched with {@code apt-get
 * download}, never installed on the host), the modules dm-era and the NBD client need, the uncompressed
 * {@code vmlinux} (QEMU boots it through its PVH entry, seconds faster under TCG than the bzImage) and an
 * initramfs with busybox, dmsetup, nbd-client, pdata_tools and our {@code /init}.
 *
 * <p>Everything goes into a cache folder ({@code $ERA_TESTBED_CACHE/kernel}, default
 * {@code ~/.cache/era-testbed/kernel}), one subfolder per kernel package; a second run finds it built and
 * says so. The initramfs is rebuilt when {@code /init} or the module list changes (its stamp is their hash).
 */
public final class KernelSetup {
    /** Load order: soft dependencies first (crc32c_generic for libcrc32c), then dm, then NBD, then virtio-net. */
    static final List<String> MODULES = List.of(
            "kernel/crypto/crc32c_generic.ko",
            "kernel/lib/libcrc32c.ko",
            "kernel/drivers/md/dm-mod.ko",
            "kernel/drivers/md/dm-bufio.ko",
            "kernel/drivers/md/persistent-data/dm-persistent-data.ko",
            "kernel/drivers/md/dm-era.ko",
            "kernel/drivers/block/nbd.ko",
            "kernel/drivers/virtio/virtio_ring.ko",
            "kernel/drivers/virtio/virtio.ko",
            "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
            "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
            "kernel/drivers/virtio/virtio_pci.ko",
            "kernel/net/core/failover.ko",
            "kernel/drivers/net/net_failover.ko",
            "kernel/drivers/net/virtio_net.ko");

    /** The userland programs of the guest, each with the host path it is copied from. */
    private static final List<String> GUEST_PROGRAMS = List.of("dmsetup", "nbd-client", "pdata_tools");
    private static final List<String> ERA_TOOLS = List.of("era_check", "era_dump", "era_invalidate", "era_restore");
    private static final byte[] XZ_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    static final String INIT_RESOURCE = "init.sh";

    /** A built guest: the kernel's release string, its uncompressed kernel and its initramfs. */
    public record GuestImage(String kernelRelease, Path vmlinux, Path initramfs) {
    }

    private KernelSetup() {
    }

    /** {@code $ERA_TESTBED_CACHE/kernel}, or {@code ~/.cache/era-testbed/kernel}. */
    public static Path cacheDir() {
        String env = System.getenv("ERA_TESTBED_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "era-testbed");
        return base.resolve("kernel");
    }

    /** The Debian kernel package linux-image-amd64 points at now, e.g. {@code linux-image-6.1.0-56-amd64}. */
    static String resolvePackage() {
        HostTools.require("apt-cache");
        String deps = HostTools.run(null, 60, "apt-cache", "depends", "linux-image-amd64");
        Matcher m = Pattern.compile("Depends: (linux-image-[0-9][^\\s]*)").matcher(deps);
        if (!m.find()) {
            throw new KernelException("apt-cache depends linux-image-amd64 names no linux-image-<version> package "
                    + "(run apt-get update?)");
        }
        return m.group(1);
    }

    /** The guest built earlier for the current kernel package, if it is complete and up to date. */
    public static java.util.Optional<GuestImage> existing() {
        Path cache = cacheDir();
        if (!Files.isDirectory(cache)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> s = Files.list(cache)) {
            for (Path dir : s.sorted(Comparator.reverseOrder()).toList()) {
                GuestImage g = built(dir);
                if (g != null && initramfsStamp().equals(readStamp(dir))) {
                    return java.util.Optional.of(g);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return java.util.Optional.empty();
    }

    /** Builds (or finds built) the guest of the current kernel package; says what it did through {@code report}. */
    public static GuestImage setup(Consumer<String> report) {
        for (String tool : List.of("apt-get", "dpkg-deb", "depmod", "xz", "cpio", "ldd", "busybox", "dmsetup",
                "nbd-client", "pdata_tools")) {
            HostTools.require(tool);
        }
        String pkg = resolvePackage();
        Path dir = cacheDir().resolve(pkg);
        try {
            Files.createDirectories(dir);
            GuestImage old = built(dir);
            String stamp = initramfsStamp();
            if (old != null && stamp.equals(readStamp(dir))) {
                report.accept("kernel guest already built (cache reused): " + describe(old));
                return old;
            }
            Path deb = download(dir, pkg, report);
            String release = pkg.substring("linux-image-".length());
            Path modules = dir.resolve("modules");
            Path vmlinux = dir.resolve("vmlinux");
            if (old == null) {
                unpack(dir, deb, release, modules, vmlinux, report);
            }
            Path initramfs = buildInitramfs(dir, release, modules);
            Files.writeString(dir.resolve("initramfs.stamp"), stamp, StandardCharsets.UTF_8);
            GuestImage g = new GuestImage(release, vmlinux, initramfs);
            report.accept("kernel guest built: " + describe(g));
            return g;
        } catch (IOException e) {
            throw new KernelException("building the kernel guest in " + dir + " failed: " + e.getMessage(), e);
        }
    }

    static String describe(GuestImage g) {
        try {
            return "kernel " + g.kernelRelease() + ", vmlinux " + g.vmlinux() + " (" + Files.size(g.vmlinux()) / 1024
                    + " KiB), initramfs " + g.initramfs() + " (" + Files.size(g.initramfs()) / 1024 + " KiB)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GuestImage built(Path dir) {
        Path vmlinux = dir.resolve("vmlinux");
        Path initramfs = dir.resolve("initramfs.cpio");
        Path modules = dir.resolve("modules").resolve("lib").resolve("modules");
        if (!Files.isRegularFile(vmlinux) || !Files.isRegularFile(initramfs) || !Files.isDirectory(modules)) {
            return null;
        }
        try (Stream<Path> s = Files.list(modules)) {
            return s.findFirst().map(r -> new GuestImage(r.getFileName().toString(), vmlinux, initramfs)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String readStamp(Path dir) {
        try {
            Path p = dir.resolve("initramfs.stamp");
            return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The hash of what goes into the initramfs from this code: /init, the module list, the program list. */
    static String initramfsStamp() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(initScript());
            md.update(String.join("\n", MODULES).getBytes(StandardCharsets.UTF_8));
            md.update(String.join("\n", GUEST_PROGRAMS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] initScript() {
        try (InputStream in = KernelSetup.class.getResourceAsStream(INIT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(INIT_RESOURCE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path download(Path dir, String pkg, Consumer<String> report) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            java.util.Optional<Path> deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                    && p.getFileName().toString().endsWith(".deb")).findFirst();
            if (deb.isPresent()) {
                return deb.get();
            }
        }
        report.accept("downloading " + pkg + " with apt-get download");
        HostTools.run(dir, 600, "apt-get", "download", pkg);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                    && p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new KernelException("apt-get download " + pkg + " left no .deb in " + dir));
        }
    }

    /** Keeps only the modules the guest loads, makes their modules.dep, and extracts vmlinux. */
    private static void unpack(Path dir, Path deb, String release, Path modules, Path vmlinux,
            Consumer<String> report) throws IOException {
        report.accept("unpacking " + deb.getFileName());
        Path x = dir.resolve("extract");
        deleteTree(x);
        deleteTree(modules);
        HostTools.run(null, 300, "dpkg-deb", "-x", deb.toString(), x.toString());
        Path from = x.resolve("lib/modules").resolve(release);
        if (!Files.isDirectory(from)) {
            from = x.resolve("usr/lib/modules").resolve(release);
        }
        Path to = modules.resolve("lib/modules").resolve(release);
        for (String m : MODULES) {
            Path src = from.resolve(m);
            if (!Files.isRegularFile(src)) {
                throw new KernelException(deb.getFileName() + " has no " + m);
            }
            Files.createDirectories(to.resolve(m).getParent());
            Files.copy(src, to.resolve(m), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String meta : List.of("modules.order", "modules.builtin", "modules.builtin.modinfo")) {
            if (Files.isRegularFile(from.resolve(meta))) {
                Files.copy(from.resolve(meta), to.resolve(meta), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        HostTools.run(null, 120, "depmod", "-b", modules.toString(), release);
        byte[] bz = Files.readAllBytes(x.resolve("boot").resolve("vmlinuz-" + release));
        int at = indexOf(bz, XZ_MAGIC);
        if (at < 0) {
            throw new KernelException("vmlinuz-" + release + " holds no xz stream");
        }
        Path xzPart = dir.resolve("vmlinux.xz");
        Files.write(xzPart, java.util.Arrays.copyOfRange(bz, at, bz.length));
        // The stream is followed by the rest of the bzImage: --single-stream stops at the stream's end.
        ProcessBuilder pb = new ProcessBuilder("xz", "-dc", "--single-stream", xzPart.toString())
                .redirectOutput(vmlinux.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            int rc = pb.start().waitFor();
            if (rc != 0 || Files.size(vmlinux) < 1_000_000) {
                throw new KernelException("xz -dc of vmlinuz-" + release + " failed (exit " + rc + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException("interrupted while extracting vmlinux", e);
        }
        Files.delete(xzPart);
        deleteTree(x);
    }

    private static Path buildInitramfs(Path dir, String release, Path modules) throws IOException {
        Path root = dir.resolve("initramfs-root");
        deleteTree(root);
        for (String d : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "run", "tmp", "lib64")) {
            Files.createDirectories(root.resolve(d));
        }
        Path busybox = HostTools.require("busybox");
        Files.copy(busybox, root.resolve("bin/busybox"));
        for (String applet : HostTools.run(null, 30, busybox.toString(), "--list").split("\n")) {
            String a = applet.strip();
            if (!a.isEmpty() && !a.equals("busybox") && !Files.exists(root.resolve("bin").resolve(a),
                    LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
            }
        }
        for (String prog : GUEST_PROGRAMS) {
            Path host = HostTools.require(prog);
            Files.copy(host, root.resolve("sbin").resolve(prog));
            copyLibraries(host, root);
        }
        for (String tool : ERA_TOOLS) {
            Files.createSymbolicLink(root.resolve("sbin").resolve(tool), Path.of("pdata_tools"));
        }
        Path init = root.resolve("init");
        Files.write(init, initScript());
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("etc/era-modules"), String.join("\n", MODULES) + "\n", StandardCharsets.UTF_8);
        copyTree(modules.resolve("lib/modules"), root.resolve("lib/modules"));
        Path out = dir.resolve("initramfs.cpio");
        // Uncompressed: the guest would spend longer decompressing under TCG than QEMU spends loading it.
        HostTools.run(root, 120, "sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 > "
                + "'" + out + "'");
        deleteTree(root);
        return out;
    }

    /** Copies the shared libraries and the loader that ldd lists for a program, at the same paths. */
    private static void copyLibraries(Path program, Path root) throws IOException {
        for (String line : HostTools.run(null, 30, "ldd", program.toString()).split("\n")) {
            Matcher m = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x").matcher(line);
            if (!m.find()) {
                continue;
            }
            Path lib = Path.of(m.group(1));
            Path dest = root.resolve(lib.toString().substring(1));
            if (!Files.exists(dest)) {
                Files.createDirectories(dest.getParent());
                Files.copy(lib.toRealPath(), dest);
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.toList();
        }
        for (Path p : all) {
            Path d = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(d);
            } else {
                Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path q : all) {
            Files.delete(q);
        }
    }
}
