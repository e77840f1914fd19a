package org.eratestbed.fault.result;

import java.util.List;

/**
 * The oracle ids a finding names, in the design's order. They are those of the model's
 * {@code org.eratestbed.model.era.defect.Oracle}, kept as strings here so that results and reports do not
 * depend on the model: a report can be rendered from a results folder alone.
 */
public final class OracleIds {
    public static final String TRACKING = "tracking";
    public static final String IN_FLIGHT = "in-flight";
    public static final String ERA_FROM_FUTURE = "era-from-future";
    public static final String METADATA_CONSISTENCY = "metadata-consistency";
    public static final String LINEAR_DATA = "linear-data";
    public static final String LIVENESS = "liveness";
    /**
     * Not an oracle of dm-era: the testbed itself could not run a run (a model or scheduler exception). Written
     * as an untriaged violation so that it is seen and replayable, and the campaign goes on.
     */
    public static final String HARNESS = "harness";

    /** All of them, in the design's order (reports list oracles in this order, unknown ids after). */
    public static final List<String> ALL = List.of(TRACKING, IN_FLIGHT, ERA_FROM_FUTURE, METADATA_CONSISTENCY,
            LINEAR_DATA, LIVENESS);

    private OracleIds() {
    }
}
