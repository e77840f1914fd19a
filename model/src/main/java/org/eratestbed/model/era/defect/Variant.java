package org.eratestbed.model.era.defect;

import static org.eratestbed.model.era.defect.Defect.*;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.eratestbed.device.BadInputException;

/**
 * Which dm-era code the model runs: a named set of live {@link Defect}s. Membership follows
 * shared/reference/dm-era.md section 3 (3a merge, 3b the 2021 Nikos Tsironis series, 3c later fixes and the
 * 2023 deadlock, 3d the status of each 2014 review point); the comments cite the line each decision rests on.
 */
public enum Variant {
    /**
     * Today's kernel ([K]/[K25]). Live:
     * <ul>
     * <li>M1: 3d "Never addressed" — era_map remaps at once and swap_writeset only waits for RCU readers.</li>
     * <li>deadlock-2023: 3c "Unmerged (2023)" — [K25] still stops the worker while suspended and gathers
     * status through in_worker1, so the fix never landed.</li>
     * <li>testbed-format-unordered-commit: write_superblock in [K] still commits the format without
     * dm_tm_pre_commit (the code has been the same since the merge, so pre-5.12 and as-reviewed have it too).</li>
     * <li>testbed-commit-after-failed-write: nothing in [K] stops committing after metadata_commit failed
     * (seen on Debian's 6.1; the error handling has not changed since the merge).</li>
     * <li>testbed-load-while-active: era_ctr in [K] still opens its own metadata object (metadata_open), so a
     * table loaded while the device is active resumes with a stale view (seen on Debian's 6.1; the ctr has
     * opened the metadata this way since the merge, so pre-5.12 and as-reviewed have it too).</li>
     * <li>testbed-metadata-closed-before-worker: era_destroy in [K] still calls metadata_close before
     * destroy_workqueue, and era_preresume starts the worker before its rollover (both unchanged since the
     * merge).</li>
     * </ul>
     * Off: every 3b/3c fix is merged; M2, M3, M4, M5, M6, M8, M9, M11–M14 are fixed or made safe in the merged
     * code (3d). M7 stays off: 3d says the plain bool is only touched on the worker (or in the ctr before the
     * worker exists), serialised by the ordered workqueue, so no cross-thread access remains. M10 stays off
     * although its code is unchanged: 3d "moot in practice" — the scanned block is exactly the 4 KiB LVM
     * zeroes, so the review's condition cannot arise and no behaviour differs.
     */
    UPSTREAM("upstream", EnumSet.of(M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT, DEADLOCK_2023, FORMAT_UNORDERED_COMMIT,
            COMMIT_AFTER_FAILED_WRITE, LOAD_WHILE_ACTIVE, METADATA_CLOSED_BEFORE_WORKER, MESSAGE_BEFORE_PRERESUME)),

    /**
     * The code Mikulas Patocka reviewed (March 2014, the patch merged as eec40579d848 after changes). Live:
     * every review point M1–M14 (the review is about this code), and every bug fixed later: all 3b commits
     * and 9ae6e8b1 carry {@code Fixes: eec40579d848} or fix code present since the merge, so they were
     * present in the reviewed patch too. deadlock-2023 is live as well, by inference: the review quotes the same
     * perform_rpc / process_rpc_calls plumbing (M4) and the merged code's worker stops while suspended
     * (stop_worker; wake_worker ignores a suspended target), so a message on a suspended target waited for resume;
     * status did not, since it read the space map directly (M13), so here only messages block.
     */
    AS_REVIEWED("as-reviewed", EnumSet.allOf(Defect.class)),

    /**
     * The merged code before the 2021 fixes (v3.15 … v5.11). Live:
     * <ul>
     * <li>the 3b series: de89afc1, 2099b145, 25249333, c8e846ff, 904e6b26, 64f2d15a, cca2c6ae (all merged for
     * 5.12, "Fixes: eec40579d848");</li>
     * <li>9ae6e8b1 (3c: merged in the 5.19-rc cycle, so also absent before 5.12);</li>
     * <li>M1 (3d: never addressed) and deadlock-2023 (3c: present since the merge, never fixed).</li>
     * </ul>
     * Off: the review points 3d marks as fixed in the merged code (M3, M4, M5, M6, M8, M9, M11–M14) and M2
     * (the NULL check is in the 3.18 tree [K318], so present by then, long before 5.12); M7 and M10 as for
     * upstream.
     */
    PRE_5_12("pre-5.12", EnumSet.of(
            RECOVER_COMMITTED_WRITESET, INCORE_BIT_BEFORE_COMMIT, DIGEST_BITSET_CACHE, BLOCK_SIZE_CHANGE,
            BITSET_LEAK, WRITESET_EQUAL_SIZE, RESIZE_IN_PRERESUME, POSTSUSPEND_COMMIT_AFTER_WORKER,
            M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT, DEADLOCK_2023, FORMAT_UNORDERED_COMMIT, COMMIT_AFTER_FAILED_WRITE,
            LOAD_WHILE_ACTIVE, METADATA_CLOSED_BEFORE_WORKER, MESSAGE_BEFORE_PRERESUME)),

    /**
     * Upstream plus our fixes for what upstream never fixed (M1, deadlock-2023, the format's commit order,
     * committing after a failed commit, a table loaded while the device is active, the metadata closed before
     * the worker, a message before preresume).
     */
    HARDENED("hardened", EnumSet.noneOf(Defect.class));

    private final String id;
    private final Set<Defect> live;

    Variant(String id, EnumSet<Defect> live) {
        this.id = id;
        this.live = Collections.unmodifiableSet(live);
    }

    /** The name on the command line and in results, e.g. {@code pre-5.12}. */
    public String id() {
        return id;
    }

    /** Whether this variant's code contains the defect's path. */
    public boolean has(Defect defect) {
        return live.contains(defect);
    }

    /** The live defects, in catalogue order. */
    public Set<Defect> defects() {
        return live;
    }

    /** The variant with this id; {@code upstream} is the default the command line uses. */
    public static Variant parse(String id) {
        for (Variant v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new BadInputException("unknown variant '" + id + "'; valid variants: "
                + Arrays.stream(values()).map(Variant::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
