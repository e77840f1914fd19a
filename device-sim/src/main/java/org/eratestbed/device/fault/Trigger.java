package org.eratestbed.device.fault;

/**
 * When a fault rule fires. {@code op=N}: on the request with submission number N (0-based, counting every
 * request the disk received); {@code sectors=A..B}: on every request touching [A, B); {@code rate=P}: on each
 * request with probability P, drawn from the plan's seed and the request number (so the same plan fires on
 * the same requests whatever else happens).
 */
public sealed interface Trigger {
    record Op(long number) implements Trigger {
        public Op {
            if (number < 0) {
                throw new IllegalArgumentException("negative op number " + number);
            }
        }

        @Override
        public String toString() {
            return "op=" + number;
        }
    }

    /** Sectors [start, end). */
    record Sectors(long start, long end) implements Trigger {
        public Sectors {
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("bad sector range " + start + ".." + end);
            }
        }

        public boolean overlaps(long sector, long count) {
            return sector < end && start < sector + count;
        }

        @Override
        public String toString() {
            return "sectors=" + start + ".." + end;
        }
    }

    record Rate(double probability) implements Trigger {
        public Rate {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("rate " + probability + " is not in [0, 1]");
            }
        }

        @Override
        public String toString() {
            return "rate=" + probability;
        }
    }
}
