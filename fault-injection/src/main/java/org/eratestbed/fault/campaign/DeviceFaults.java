package org.eratestbed.fault.campaign;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eratestbed.device.fault.FaultEvent;
import org.eratestbed.device.fault.FaultKind;
import org.eratestbed.device.sim.CrashSpace;
import org.eratestbed.device.sim.CrashState;
import org.eratestbed.device.sim.CrashWrite;
import org.eratestbed.fault.result.OracleIds;

/**
 * What each injected device fault may legitimately cause, so that an oracle violation in a faulty run is
 * told apart from a dm-era bug. First, is the fault the cause at all: the same plan without its faults is
 * run and checked again, and a violation of an oracle that the fault-free run violates too is not the
 * device's doing (an M1 in-flight write stays M1 on a lying disk) and stands as it is. When the fault is the
 * cause, the rules are:
 * <ul>
 *   <li><b>Device lies</b> — {@code lying-flush} (a flush says OK and makes nothing durable), {@code drop} (a
 *       write says OK and is never stored), {@code misdirect} (a write says OK and lands elsewhere). The disk
 *       broke the contract every layer above relies on and nobody can detect it: any violation may follow.
 *       A lie on the origin excuses linear-data violations only (era keeps no metadata there); a lie on the
 *       metadata device excuses every other oracle (nothing in era's metadata path reads the origin).</li>
 *   <li><b>Torn metadata writes</b> (crash states that tear inside a 4 KiB block): persistent-data's commit
 *       point is the superblock, which it assumes is written atomically, so a state that tore the superblock
 *       write excuses any violation but linear data. Torn shadow blocks are not excused: they are written
 *       before the flush that precedes the superblock, so a correct commit never references them torn.</li>
 *   <li><b>Honest errors</b> — {@code eio-read}, {@code eio-write}, {@code eio-flush}, {@code latent}: the
 *       disk told the truth, so dm-era must pass it on. A violation is excused once an error reached the
 *       user before the power cut or the end (a failed write, flush, message or create, a status that is not
 *       an era line): the user was told — unless the same plan on the same faulty disks passes that oracle
 *       once the target refuses to commit after a failed metadata write (the fail mode dm-thin and dm-cache
 *       have and era lacks): then era's later commits broke a promise a careful target keeps, the violation
 *       stands, and triage attributes it to {@code testbed-commit-after-failed-write}.
 *       With no error surfaced it is a silent loss, a dm-era finding under its own oracle,
 *       {@link #ERRORS_SURFACE}. Linear data is never excused by an honest error: a failed write is already
 *       one of the contents the oracle allows, and a failed flush promises nothing.</li>
 * </ul>
 * Liveness failures are not excused — errors are to be returned, not to stop the target — with one exception:
 * a command blocked on a device that an honest metadata error kept from resuming (the failed create or resume
 * reached the user; dm queues I/O to a suspended device, in the kernel too). A model exception or a run
 * without end never is.
 */
final class DeviceFaults {
    /** The oracle "errors surface, not silent loss". */
    static final String ERRORS_SURFACE = "errors-surface";

    private static final Set<FaultKind> LIES = EnumSet.of(FaultKind.LYING_FLUSH, FaultKind.DROP, FaultKind.MISDIRECT);
    private static final Set<FaultKind> HONEST = EnumSet.of(FaultKind.EIO_READ, FaultKind.EIO_WRITE,
            FaultKind.EIO_FLUSH, FaultKind.LATENT);

    /**
     * The oracles violated by the runs a verdict compares with, each computed when first asked: the same plan
     * on honest disks, and the same plan on the same disks with the fail mode ({@code withFailMode} is null
     * when the run's code has it already).
     */
    record Counterfactuals(Supplier<Set<String>> withoutFaults, Supplier<Set<String>> withFailMode) {
    }

    /** How a violation in a run with faults is judged. */
    record Verdict(Oracles.Violation violation, String deviceCause, String fault) {
        Verdict(Oracles.Violation violation) {
            this(violation, null, null);
        }

        boolean isDeviceFault() {
            return deviceCause != null;
        }
    }

    private DeviceFaults() {
    }

    /**
     * Judges {@code v} found on metadata crash state {@code state} (null: found before any state) of a run:
     * either it stands (possibly re-labelled as a silent loss) or the device fault that excuses it is named.
     */
    static Verdict judge(RunExecutor.Outcome o, CrashState state, Oracles.Violation v, Counterfactuals compare) {
        boolean hang = v.oracle().equals(OracleIds.LIVENESS) && (state == null || !v.message().startsWith("recovery:"));
        if (hang && !v.message().contains(" blocked at ")) {
            return new Verdict(v); // a model exception or a run without end: never a device's doing
        }
        if (compare.withoutFaults().get().contains(v.oracle())) {
            return new Verdict(v);
        }
        if (hang) {
            String honest = fired(o.model().metadataDisk().faultEvents(), HONEST);
            String failed = o.surfaced().stream().filter(x -> x.startsWith("resume:") || x.startsWith("create:"))
                    .findFirst().orElse(null);
            if (honest != null && failed != null) {
                return new Verdict(v, "I/O error on the metadata device (" + honest + ") failed a resume, which "
                        + "the user saw (" + failed + "): the device stays suspended and I/O to a suspended dm "
                        + "device waits by design", firstKind(o.model().metadataDisk().faultEvents(), HONEST));
            }
            return new Verdict(v);
        }
        boolean linear = v.oracle().equals(OracleIds.LINEAR_DATA);
        List<FaultEvent> md = o.model().metadataDisk().faultEvents();
        List<FaultEvent> origin = o.model().originDisk().faultEvents();
        List<FaultEvent> onDevice = linear ? origin : md;
        String lie = fired(onDevice, LIES);
        if (lie != null) {
            return new Verdict(v, "device lie on the " + (linear ? "origin" : "metadata") + " device: " + lie,
                    firstKind(onDevice, LIES));
        }
        if (linear) {
            return new Verdict(v);
        }
        if (state != null && o.plan().tornMetadata() && superblockTorn(state)) {
            return new Verdict(v, "torn metadata write: the crash state keeps part of a superblock write",
                    "torn-superblock");
        }
        String honest = fired(md, HONEST);
        if (honest == null) {
            return new Verdict(v);
        }
        if (!o.surfaced().isEmpty()) {
            if (compare.withFailMode() != null && !compare.withFailMode().get().contains(v.oracle())) {
                return new Verdict(v);
            }
            return new Verdict(v, "I/O error on the metadata device (" + honest + "), surfaced to the user: "
                    + o.surfaced().get(0), firstKind(md, HONEST));
        }
        return new Verdict(new Oracles.Violation(ERRORS_SURFACE, "silent loss: " + honest
                + " on the metadata device reached no user, and then " + v.oracle() + ": " + v.message(),
                v.state()));
    }

    private static String firstKind(List<FaultEvent> events, Set<FaultKind> kinds) {
        return events.stream().filter(e -> kinds.contains(e.kind())).findFirst().orElseThrow().kind().token();
    }

    /** The first fired fault of these kinds, described, or null. */
    private static String fired(List<FaultEvent> events, Set<FaultKind> kinds) {
        List<FaultEvent> hits = events.stream().filter(e -> kinds.contains(e.kind())).toList();
        if (hits.isEmpty()) {
            return null;
        }
        String kindsFired = hits.stream().map(e -> e.kind().token()).distinct().collect(Collectors.joining(", "));
        return kindsFired + " (" + hits.size() + " fired, first: " + hits.get(0) + ")";
    }

    /**
     * Whether the state keeps some but not all sectors of a write to metadata block 0 (the superblock). Units
     * are numbered write by write, a sector each when writes tear sector by sector (see {@link CrashSpace}).
     */
    static boolean superblockTorn(CrashState state) {
        CrashSpace space = state.space();
        if (space.atomicSectors() != 1) {
            return false;
        }
        int u = 0;
        for (CrashWrite w : space.writes()) {
            long n = w.liveSectors();
            if (n == 0) {
                continue;
            }
            int units = w.isDiscard() ? 1 : (int) n;
            if (!w.isDiscard() && w.sector() < 8) {
                int kept = 0;
                for (int k = 0; k < units; k++) {
                    kept += state.kept(u + k) ? 1 : 0;
                }
                if (kept > 0 && kept < units) {
                    return true;
                }
            }
            u += units;
        }
        return false;
    }
}
