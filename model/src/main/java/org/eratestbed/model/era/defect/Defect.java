package org.eratestbed.model.era.defect;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import org.eratestbed.device.BadInputException;

/**
 * Every reviewed or fixed dm-era bug, as data (design.md, "Defects are data"). A {@link Variant} says which
 * are live; the model keeps each defect's code path next to the correct one, named after the defect.
 *
 * <p>Ids start with their source so any result traces back to it: {@code M1}…{@code M14} are the points of
 * Mikulas Patocka's review (dm-devel, 2014-03-11, seeds/000_e53abe0a154ec91d.txt, in order of appearance),
 * eight hex digits are the upstream fix commit, {@code deadlock-2023} is the unmerged 2023 thread. Facts
 * are from shared/reference/dm-era.md section 3.
 */
public enum Defect {
    M1_INFLIGHT_WRITE_ACROSS_CHECKPOINT("M1-inflight-write-across-checkpoint",
            review(1, "no tracking of in-flight writes across checkpoint / take_metadata_snap"),
            "A write to an already-marked block is remapped at once; if it lands after a checkpoint to era N+1 it"
                    + " is recorded only in era N, so 'written since N+1' (or the snapshot) misses it.",
            Oracle.IN_FLIGHT,
            "Code path: era_map remaps a write to a marked block without counting it in flight, and checkpoint /"
                    + " take_metadata_snap do not wait for such writes (fixed path: in-flight writes are drained"
                    + " before the era changes, as dm_internal_suspend would)."),
    M2_DESTROY_NULL_METADATA("M2-destroy-null-metadata",
            review(2, "era_destroy calls metadata_close(era->md) without a NULL check"),
            "A constructor that fails before the metadata is opened calls era_destroy, which closes a NULL"
                    + " metadata object: an oops instead of the constructor's error.",
            Oracle.LIVENESS,
            "Code path: the destroy step closes the metadata unconditionally, so a ctr that fails early throws"
                    + " a NullPointerException (the Java form of the oops) instead of returning its error."),
    M3_ZERO_BLOCK_SIZE("M3-zero-block-size",
            review(3, "sectors_per_block not validated non-zero"),
            "A table with block size 0 is accepted, and the first bio divides by zero in get_block.",
            Oracle.LIVENESS,
            "Code path: the ctr skips valid_block_size (> 0, multiple of 8), so map's division throws an"
                    + " ArithmeticException (the kernel's divide error) instead of the ctr returning -EINVAL."),
    M4_RPC_RESULT_NO_BARRIER("M4-rpc-result-no-barrier",
            review(4, "no barrier between rpc->result and rpc->complete"),
            "The worker stores rpc->result then sets the complete flag with no write barrier, and the caller reads"
                    + " the flag then the result with no read barrier: the caller can return a stale result"
                    + " (0) although the worker reported an error.",
            Oracle.LIVENESS,
            "Memory-model path: the as-reviewed Rpc keeps result and the complete flag in plain fields (no"
                    + " happens-before); the fixed Rpc publishes through a completion. Visible only with real"
                    + " threads (jcstress); the deterministic scheduler always sees the result."),
    M5_SM_ROOT_UNALIGNED("M5-sm-root-unaligned",
            review(5, "metadata_space_map_root not aligned on a 64-bit boundary"),
            "The space-map root sits at byte 44 of the superblock and sm_ll_open_metadata read it as 64-bit"
                    + " words in place: a fault on CPUs that trap misaligned 64-bit loads.",
            Oracle.METADATA_CONSISTENCY,
            "Not a Java runtime bug (a ByteBuffer reads a long at any offset). Modelled as a strict-alignment"
                    + " CPU: with the defect live the root is read in place as 64-bit words and the misaligned"
                    + " offset fails the open (a valid superblock is rejected); the fixed path copies the root"
                    + " into an aligned buffer first, as sm_ll_open_metadata's memcpy does. The on-disk offset"
                    + " (44) is the same in every variant."),
    M6_ERA_32_64_BIT_MIX("M6-era-32-64-bit-mix",
            review(6, "mixing 32-bit and 64-bit current_era"),
            "The prototype kept current_era as a 64-bit counter but stored and reported 32 bits: a 32-bit reader"
                    + " can see a torn era, and an era past 2^32 is stored as a smaller one.",
            Oracle.NO_ERA_FROM_THE_FUTURE,
            "A 64-bit value kept as two 32-bit halves (Value64 split form, written low half then high half as a"
                    + " 32-bit CPU stores it): a reader racing the worker's increment across 2^32 sees an era"
                    + " that never existed; the fixed path is one 32-bit era (merged code: uint32_t everywhere)."),
    M7_ARCHIVED_WRITESETS_NO_BARRIER("M7-archived-writesets-no-barrier",
            review(7, "missing memory barriers around archived_writesets"),
            "The archived_writesets flag is a plain bool set by archive and read by kick_off_digest; read from"
                    + " another CPU without barriers it may be stale, delaying the digest of an archived era.",
            Oracle.TRACKING,
            "Memory-model path: the flag is a plain field. Harmless while every access runs on the worker"
                    + " (merged code: the ordered workqueue serialises them), so it only matters where real"
                    + " threads set and read it on different threads."),
    M8_FRESH_METADATA_LEAK("M8-fresh-metadata-leak",
            review(8, "create_fresh_metadata doesn't free md->tm and md->sm on errors"),
            "A failure while creating fresh metadata leaks the transaction manager and space map.",
            Oracle.LIVENESS,
            "Resource path: the model counts live tm/sm objects; with the defect live the error path skips their"
                    + " destroy, so repeated failed creates leave objects behind (the leak is counted, not a"
                    + " real out-of-memory)."),
    M9_FORMAT_NOT_UNDONE("M9-format-not-undone",
            review(9, "format_metadata doesn't undo create_fresh_metadata if write_superblock fails"),
            "When writing the first superblock fails, format_metadata returns the error but keeps the tm and sm"
                    + " it created.",
            Oracle.LIVENESS,
            "Resource path, like M8: a failed superblock write (fault injection) leaves the counted tm/sm alive"
                    + " when the defect is live; the fixed path destroys both."),
    M10_ALL_ZEROES_WHOLE_BLOCK("M10-all-zeroes-whole-block",
            review(10, "superblock_all_zeroes checks the full block, LVM zeroes only 4k"),
            "Format-or-open is decided by scanning the whole superblock block for zeroes, while LVM zeroes only"
                    + " the first 4 KiB of a new volume.",
            Oracle.METADATA_CONSISTENCY,
            "Kept as data for traceability, never observable: the live path scans the whole metadata block, the"
                    + " fixed path the first 4 KiB; the era metadata block is 4096 bytes, so both read the same"
                    + " bytes (the code is unchanged upstream for this reason)."),
    M11_TEST_BIT_SIGNED_INDEX("M11-test-bit-signed-index",
            review(11, "test_bit takes a signed int: cap the block count at 2^31-1"),
            "Without the 2^31 block cap, a block number at or above 2^31 becomes a negative bit index in"
                    + " test_bit / test_and_set_bit, so its write marks (or tests) the wrong bit.",
            Oracle.TRACKING,
            "Code path: with the defect live the ctr skips valid_nr_blocks (n < 2^31) and bit indexes are"
                    + " narrowed to a signed 32-bit int, so such a block indexes before the bitmap (an"
                    + " IndexOutOfBoundsException in Java, memory before the bitmap in the kernel)."),
    M12_BITSET_SIZE_OVERFLOW("M12-bitset-size-overflow",
            review(12, "the argument to bitset_size may overflow"),
            "bitset_size computes the in-core bitmap size in 32-bit arithmetic: for nr_bits near 2^32 it wraps"
                    + " to a tiny allocation that later writes overrun.",
            Oracle.TRACKING,
            "Code path: with the defect live the in-core bitset size is computed in unsigned 32-bit arithmetic"
                    + " (wrapping); only reachable when M11's cap is lifted too."),
    M13_NR_FREE_TORN_READ("M13-nr-free-torn-read",
            review(13, "era_status reads the 64-bit nr_free non-atomically on 32-bit"),
            "era_status called dm_sm_get_nr_free outside the worker, unlocked; on a 32-bit CPU a concurrent"
                    + " update is two 32-bit stores, so status can report a used count that never existed.",
            Oracle.METADATA_CONSISTENCY,
            "A 64-bit value kept as two 32-bit halves (Value64 split form) read by status on the caller thread"
                    + " while the worker updates it; the fixed path gathers stats in the worker (in_worker1,"
                    + " merged code) and the value is atomic."),
    M14_FLUSH_NOT_PASSED_THROUGH("M14-flush-not-passed-through",
            review(14, "era_map doesn't pass REQ_FLUSH bios through"),
            "era_map treated an empty flush as a write to the block at its meaningless sector (0): while block 0 was"
                    + " unmarked the flush was deferred behind a metadata commit and marked block 0, though nothing"
                    + " was written there.",
            Oracle.LINEAR_DATA,
            "Code path: with the defect live map does not test the flush flag, so an empty flush to an unmarked"
                    + " block 0 is deferred, marks block 0 (an over-report) and reaches the origin only after the"
                    + " worker's commit; the fixed path remaps it at once."),
    RECOVER_COMMITTED_WRITESET("de89afc1-recover-committed-writeset",
            commit("de89afc1e40fdfa5f8b666e5d07c43d21a1d3be0", "dm era: Recover committed writeset after crash"),
            "After a crash the current era's committed writeset was dropped (open ignored sb.current_writeset,"
                    + " resize reset it, preresume started a new era): its writes were lost.",
            Oracle.TRACKING,
            "Code path: with the defect live open ignores the superblock's current writeset, writeset_alloc"
                    + " resets its root, and preresume calls metadata_new_era instead of the rollover."),
    INCORE_BIT_BEFORE_COMMIT("2099b145-incore-bit-before-commit",
            commit("2099b145d77c1d53f5711f029c37cc537897cee6",
                    "dm era: Update in-core bitset after committing the metadata"),
            "The worker set the in-core bit before committing, so a second write to the block took the fast path"
                    + " and completed; a crash before the commit left the block unmarked.",
            Oracle.TRACKING,
            "Code path: with the defect live writeset_test_and_set sets the in-core bit at once (test_and_set);"
                    + " the fixed path sets it only after metadata_commit succeeds."),
    DIGEST_BITSET_CACHE("25249333-digest-bitset-cache",
            commit("2524933307fd0036d5c32357c693c021ab09a0b0",
                    "dm era: Reinitialize bitset cache before digesting a new writeset"),
            "The digest's one-word bitset cache was initialised once per digest, not per writeset: with at most 64"
                    + " blocks every later era was digested with the first writeset's word.",
            Oracle.TRACKING,
            "Code path: with the defect live the digest initialises its dm_disk_bitset cache only in"
                    + " metadata_digest_start, not in each writeset lookup."),
    BLOCK_SIZE_CHANGE("c8e846ff-block-size-change",
            commit("c8e846ff93d5eaa5384f6f325a1687ac5921aade", "dm era: Verify the data block size hasn't changed"),
            "Opening metadata with a different block size silently took the on-disk size while map used the"
                    + " table's: bios were recorded against the wrong block numbers.",
            Oracle.TRACKING,
            "Code path: with the defect live open overwrites the block size from the superblock instead of"
                    + " failing with -EINVAL."),
    BITSET_LEAK("904e6b26-bitset-leak",
            commit("904e6b266619c2da5c58b5dce14ae30629e39645", "dm era: Fix bitset memory leaks"),
            "The in-core writeset bitmaps were never freed on destroy or on resize error paths.",
            Oracle.LIVENESS,
            "Resource path: the model counts live in-core bitmaps; with the defect live close and the resize"
                    + " error paths do not release them."),
    WRITESET_EQUAL_SIZE("64f2d15a-writeset-equal-size",
            commit("64f2d15afe7b336aafebdcd14cc835ecf856df4b",
                    "dm era: Use correct value size in equality function of writeset tree"),
            "ws_eq compared sizeof(struct writeset_metadata) (16 bytes on 64-bit) instead of the 12-byte disk"
                    + " value: an overwrite compared 4 bytes past it and could dec a bitset wrongly or leak it.",
            Oracle.METADATA_CONSISTENCY,
            "Code path: with the defect live the writeset tree's equality compares 16 bytes from the value's"
                    + " offset in the leaf, i.e. 4 bytes of the next value or of unused space."),
    RESIZE_IN_PRERESUME("cca2c6ae-resize-in-preresume",
            commit("cca2c6aebe86f68103a8615074b3578e854b5016", "dm era: only resize metadata in preresume"),
            "The ctr resized the metadata (even for a table never resumed), and the preresume resize ran in the"
                    + " worker after a digest step that used the old size: the digest wrote past the era array.",
            Oracle.METADATA_CONSISTENCY,
            "Code path: with the defect live the ctr resizes and preresume queues the resize as a worker RPC"
                    + " (after the digest step); the fixed path resizes directly in preresume before"
                    + " start_worker."),
    POSTSUSPEND_COMMIT_AFTER_WORKER("9ae6e8b1-postsuspend-commit-after-worker",
            commit("9ae6e8b1c9bbf6874163d1243e393137313762b7",
                    "dm era: commit metadata in postsuspend after worker stops"),
            "Postsuspend committed before stopping the worker, which kept digesting into the block cache; a"
                    + " second instance on the same metadata was later overwritten by the first's cache flush.",
            Oracle.METADATA_CONSISTENCY,
            "Code path: with the defect live postsuspend commits through the RPC and then stops the worker"
                    + " without draining self-requeued work (flush, not drain) and without a final commit."),
    DEADLOCK_2023("deadlock-2023",
            new Source("deadlock-2023",
                    "dm-devel 2023-01-18 <20230118122946.20435-1-ntsironis@arrikto.com>, unmerged:"
                            + " dm era: avoid deadlock when swapping table with dm-era target"),
            "A status or message on a suspended target blocks in perform_rpc (the worker is stopped) while"
                    + " holding the table's SRCU read lock, so a resume that swaps tables deadlocks.",
            Oracle.LIVENESS,
            "Code path: with the defect live an RPC on a suspended target is queued and its caller waits until"
                    + " resume (the scheduler reports it blocked); the fixed path fails it at once with -EBUSY."
                    + " With M13 also live, status reads the space map directly, so only messages block."),
    FORMAT_UNORDERED_COMMIT("testbed-format-unordered-commit",
            new Source("testbed-format-unordered-commit",
                    "found by era-testbed's crash campaign (2026), not reported upstream: format_metadata's"
                            + " write_superblock commits without dm_tm_pre_commit"),
            "The first format writes the superblock in the same unordered batch as the blocks it points at,"
                    + " with one flush after all of them: a power cut can keep the superblock and lose the space"
                    + " map, and the device then cannot be created again until its metadata is wiped.",
            Oracle.METADATA_CONSISTENCY,
            "Code path: with the defect live write_superblock goes straight to dm_tm_commit, as the kernel's"
                    + " does (other commits run metadata_commit, which pre-commits and flushes first); the fixed"
                    + " path calls dm_tm_pre_commit first, so everything is durable before the superblock is"
                    + " written, as dm-thin's __write_initial_superblock does."),
    COMMIT_AFTER_FAILED_WRITE("testbed-commit-after-failed-write",
            new Source("testbed-commit-after-failed-write",
                    "found by era-testbed's campaign under device faults and seen on Debian's 6.1 kernel over NBD"
                            + " (2026), not reported upstream: metadata_commit goes on after a failed commit"),
            "A metadata write fails and its commit returns EIO, but dm-era keeps the transaction: dm-bufio"
                    + " reports the error once and leaves the block clean, so the next commit (any status or"
                    + " message) writes a superblock that points at blocks the device never got. A power cut"
                    + " or a later remove leaves metadata that cannot be opened; dm-thin and dm-cache stop"
                    + " committing (fail or read-only mode) after a failed metadata operation instead.",
            Oracle.METADATA_CONSISTENCY,
            "Code path: with the defect live metadata_commit runs whatever failed before, as the kernel's"
                    + " does; the fixed path remembers a failed commit and refuses every later one with EIO,"
                    + " so the device keeps the last good commit until the table is loaded again."),
    LOAD_WHILE_ACTIVE("testbed-load-while-active",
            new Source("testbed-load-while-active",
                    "found by era-testbed's campaign (generated reloads) and seen on Debian's 6.1 kernel over NBD"
                            + " (2026), not reported upstream: era_ctr opens the metadata with its own block"
                            + " manager"),
            "A table loaded while the device is active reads the metadata as last committed; the live table"
                    + " goes on committing (new writes' marks, checkpoints, postsuspend's commit) until the"
                    + " swap, and the new table's preresume (metadata_resize and its commit) then writes its"
                    + " older in-core view over that: acknowledged writes vanish from invalidate's list."
                    + " dm-cache (lookup_or_open) and dm-thin (__pool_table_lookup_metadata_dev) share one"
                    + " metadata object between the tables of a device instead.",
            Oracle.TRACKING,
            "Code path: with the defect live preresume runs on the metadata the ctr opened, as the kernel's"
                    + " does; on the fixed path a table constructed while another table on the same metadata"
                    + " device existed reopens the metadata at its first preresume (the old table is suspended"
                    + " and committed by then, so the disk is current) and drops the ctr's view."),
    METADATA_CLOSED_BEFORE_WORKER("testbed-metadata-closed-before-worker",
            new Source("testbed-metadata-closed-before-worker",
                    "found by era-testbed's campaign under device faults (2026), not reported upstream and not yet"
                            + " seen on a kernel (it is a use-after-free: only KASAN would show it)"),
            "era_preresume starts the worker before its rollover; when the rollover fails (a metadata write"
                    + " error) the resume fails, but the worker is running and a digest of archived eras goes on"
                    + " re-queueing itself. The device stays suspended, so its remove (libdevmapper removes a device"
                    + " whose create failed at once) calls no postsuspend and nothing stops the worker; era_destroy"
                    + " then closes the metadata before destroy_workqueue, which runs the queued digest step on"
                    + " the freed metadata.",
            Oracle.LIVENESS,
            "Code path: with the defect live era_destroy closes the metadata and then destroys (drains) the"
                    + " workqueue, as the kernel's does, and a digest step still queued runs on the closed block"
                    + " manager (a model exception: the kernel's use-after-free); the fixed path drains and"
                    + " destroys the workqueue first, as dm-cache's destroy does, so no work outlives the"
                    + " metadata."),
    MESSAGE_BEFORE_PRERESUME("testbed-message-before-preresume",
            new Source("testbed-message-before-preresume",
                    "found by era-testbed (a message in the table swap window, 2026) and seen on Debian's 6.1 kernel"
                            + " over NBD, not reported upstream: BUG: kernel NULL pointer dereference in"
                            + " metadata_era_rollover"),
            "era_ctr never marks its worker suspended (the era struct is kzalloc'd), and the in-core writesets"
                    + " are only allocated by preresume's metadata_resize. do_resume makes the new table live"
                    + " (dm_swap_table) before dm_resume runs its preresume, and target_message delivers to the"
                    + " live table, so a message in between runs the worker: metadata_checkpoint's rollover"
                    + " memsets the unallocated bits (writeset_init) and the kernel oopses in the kworker; the"
                    + " message never returns. A table of two targets makes the window as long as the first"
                    + " target's preresume (its metadata device suspended: as long as one likes).",
            Oracle.LIVENESS,
            "Code path: with the defect live the ctr leaves the worker running, so an RPC reaches the worker"
                    + " before preresume and writeset_init on metadata opened with nr_blocks > 0 dereferences the"
                    + " unallocated bits (a BUG in the model: the kernel's NULL pointer dereference); the fixed ctr"
                    + " marks the worker suspended, as stop_worker leaves it, so the RPC is refused with -EBUSY"
                    + " (deadlock-2023 fixed) or waits for preresume's start_worker, after the resize.");

    /** Where a defect comes from: the review point or the fix commit (full hash), with its title. */
    public record Source(String reference, String title) {
        @Override
        public String toString() {
            return reference + " (" + title + ")";
        }
    }

    private final String id;
    private final Source source;
    private final String story;
    private final Oracle oracle;
    private final String modelledAs;

    Defect(String id, Source source, String story, Oracle oracle, String modelledAs) {
        this.id = id;
        this.source = source;
        this.story = story;
        this.oracle = oracle;
        this.modelledAs = modelledAs;
    }

    private static Source review(int point, String title) {
        return new Source("M" + point, "review by Mikulas Patocka, dm-devel 2014-03-11: " + title);
    }

    private static Source commit(String hash, String title) {
        return new Source(hash, title);
    }

    /** The id results, reports and scenarios use, e.g. {@code M4-rpc-result-no-barrier}. */
    public String id() {
        return id;
    }

    public Source source() {
        return source;
    }

    /** One line: what goes wrong. */
    public String story() {
        return story;
    }

    /** The user-facing promise this defect breaks. */
    public Oracle oracle() {
        return oracle;
    }

    /** How the model reproduces it, especially when it is not a runtime bug in Java. */
    public String modelledAs() {
        return modelledAs;
    }

    /** The defect with this id (exact, case-sensitive as printed). */
    public static Defect byId(String id) {
        return find(id).orElseThrow(() -> new BadInputException("unknown defect '" + id + "'; valid ids: "
                + Arrays.stream(values()).map(Defect::id).collect(Collectors.joining(", "))));
    }

    /** The defect with this id, if this build has one (a results file may name an id from another build). */
    public static Optional<Defect> find(String id) {
        return Arrays.stream(values()).filter(d -> d.id.equals(id)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}
