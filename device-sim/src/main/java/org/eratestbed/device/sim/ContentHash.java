package org.eratestbed.device.sim;

/**
 * A 128-bit hash of a whole device's content, independent of how the content came about.
 *
 * <p>It is the XOR, over every sector, of a per-sector hash of (sector number, 512 bytes), where an all-zero
 * sector hashes to 0. Two devices with the same bytes have the same hash, an unwritten device hashes to zero,
 * and — the reason for the XOR — a crash state's hash follows from the durable image's hash by touching only
 * the sectors the state changes, never the whole device.
 */
public record ContentHash(long hi, long lo) {
    public static final ContentHash ZERO = new ContentHash(0, 0);

    @Override
    public String toString() {
        return String.format("%016x%016x", hi, lo);
    }
}
