package org.eratestbed.fault.scenario;

import org.eratestbed.model.era.defect.Variant;

/**
 * A scenario for a defect that today's kernel still has: upstream is the buggy side, and only the hardened
 * variant (upstream plus the testbed's fixes) runs without it.
 */
abstract class UpstreamUnfixedScenario extends Scenario {
    @Override
    final Side buggySide() {
        return Side.of(Variant.UPSTREAM);
    }

    @Override
    final Side fixedSide() {
        return Side.of(Variant.HARDENED);
    }
}
