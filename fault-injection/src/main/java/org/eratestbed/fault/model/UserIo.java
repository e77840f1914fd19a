package org.eratestbed.fault.model;

/**
 * One data request as the user of the era device sees it: submitted, then completed OK or with an error. The
 * linear-data oracle derives from these alone what each origin block may hold after a crash or at the end.
 *
 * @param seq     for a write, the write's sequence number (the one in its {@link OriginStamp}); otherwise a
 *                number unique among the run's requests of that op
 * @param first   the first era block (writes and discards); 0 for a flush
 * @param count   how many era blocks; 0 for a flush
 */
public record UserIo(Op op, Phase phase, long seq, long first, long count, boolean ok) {
    public enum Op { WRITE, DISCARD, FLUSH }

    public enum Phase { SUBMIT, COMPLETE }
}
