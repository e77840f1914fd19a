package org.eratestbed.fault.kernelcrash;

/**
 * A write to one era block that the target acknowledged, as seen from outside (the kernel gives no more):
 * {@code era} is the era read from the last status line before the write returned — a lower bound of the era
 * it was acknowledged in, which is all the tracking oracle needs, since {@code written-since E'} lists a
 * superset of {@code written-since E} for {@code E' <= E}; {@code exact} when the next status line showed the
 * same era, so no era began between. {@code logMark} is the metadata log's end tick when the host saw the
 * write return: a crash at or after it must keep the write.
 */
public record AckedWrite(long block, long era, boolean exact, int line, long logMark) {
}
