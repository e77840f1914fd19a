package org.eratestbed.fault.dmts;

/** DMTS's expected era_invalidate outputs (scaled), for tests outside this package. */
public final class EraTrackingTestAccess {
    public static final String ERA7 = EraTrackingTest.ERA7;
    public static final String ERA13 = EraTrackingTest.ERA13;

    private EraTrackingTestAccess() {
    }
}
