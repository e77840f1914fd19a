/**
 * The metadata readers {@code check}, {@code dump} and {@code invalidate}: an independent oracle for era
 * metadata written by the kernel, by thin-provisioning-tools' era_restore and by the model's writer.
 *
 * <p>They decode the on-disk format themselves ({@code disk}: block source, validating reader, btree and
 * array walkers, random access by index), sharing only the salts and checksum of
 * {@code org.eratestbed.model.pdata.block} with the writer they check. They are read-only, and bounded on any
 * input: every walk visits each metadata block at most once per tree, btrees are at most 16 levels deep,
 * memory is bounded by the metadata device's maximum (about 4.2 M blocks), never by the origin's nr_blocks,
 * and {@code check} keeps at most {@value org.eratestbed.model.era.tools.check.CheckReport#MAX_LINES} lines.
 *
 * <p>Where thin-provisioning-tools 0.9.0 (C++, installed here) and the Rust tools (1.x) differ, and what these
 * readers do:
 * <ul>
 * <li>The superblock's current writeset: 0.9.0's era_dump ignores it; the Rust era_dump includes it (root != 0)
 *     as era current_era, and so does {@link org.eratestbed.model.era.tools.EraDumper}. Both era_invalidates
 *     ignore it; {@link org.eratestbed.model.era.tools.EraInvalidate} does too unless asked
 *     ({@code --include-current-writeset}).</li>
 * <li>{@code era_dump --logical}: 0.9.0 keeps, per block, the <em>oldest</em> writeset that marked it (its
 *     std::map insert never overwrites), used only if newer than the era-array value; Rust and the kernel's
 *     digest take the <em>newest</em> marking writeset, whatever the era array says. These readers follow the
 *     digest.</li>
 * <li>{@code era_invalidate}: 0.9.0 unites era-array values &gt;= N with all writesets of era &gt;= N; Rust
 *     skips the era array when the oldest writeset's era is &lt;= N (equal on kernel-written states, an
 *     under-report on others). These readers use 0.9.0's union. Bits past nr_blocks are dropped (0.9.0 lists
 *     them). Formatting is 0.9.0's, byte for byte ({@code <range begin="a" end = "b"/>}).</li>
 * <li>{@code --metadata-snapshot}: 0.9.0's era_invalidate checks that a snapshot is held and then reads the
 *     live superblock; Rust reads the clone. These readers read the clone's writeset tree and era array, never
 *     its space-map root or current writeset (both stale: not held for the clone).</li>
 * <li>Writeset order: 0.9.0 dumps in btree key order; Rust requires the eras to be contiguous and ending at
 *     current_era (an error otherwise) and orders them oldest first across a 2^32 wrap. These readers order by
 *     age relative to current_era (ascending era when nothing wrapped) and accept gaps.</li>
 * <li>Padding of {@code <bit>} lines: 0.9.0 writes bits 0..nr_bits-1; Rust pads to the superblock's nr_blocks.
 *     These readers write 0.9.0's.</li>
 * <li>era_check: 0.9.0 checks the superblock, walks the writeset tree, bitsets and era array and flags era
 *     values above current_era; it neither counts references nor reads the space map. Rust era_check counts
 *     references in a core space map but does not compare it with the on-disk one. {@code check} does both
 *     comparisons, checks the snapshot clone, and prints one line per problem.</li>
 * </ul>
 */
package org.eratestbed.model.era.tools;
