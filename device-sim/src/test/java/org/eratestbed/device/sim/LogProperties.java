package org.eratestbed.device.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.eratestbed.device.fault.FaultPlan;

/** The I/O log is complete: replaying it, or its file form, rebuilds the same disk. */
class LogProperties {
    @Property(tries = 150)
    void replayingALogReproducesTheImage(@ForAll long seed, @ForAll @IntRange(min = 0, max = 50) int ops)
            throws IOException {
        Scenario sc = Scenario.run(seed, ops, FaultPlan.random(seed, Scenario.SIZE));
        SimDisk replayed = SimDisk.replay(sc.disk.log());
        assertTrue(replayed.image().sameContent(sc.disk.image()));
        assertTrue(replayed.durableImage().sameContent(sc.disk.durableImage()));
        assertEquals(sc.disk.contentHash(), replayed.contentHash());
        assertEquals(sc.disk.log(), replayed.log());
        assertEquals(sc.disk.pending().size(), replayed.pending().size());

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        IoLogFile.write(sc.disk.log(), file);
        IoLog back = IoLogFile.read(new ByteArrayInputStream(file.toByteArray()), "log");
        assertEquals(sc.disk.log(), back);
        assertTrue(SimDisk.replay(back).image().sameContent(sc.disk.image()));
    }

    @Property(tries = 50)
    void aReplayedDiskGoesOnLikeTheOriginal(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int ops) {
        Scenario sc = Scenario.run(seed, ops, FaultPlan.NONE);
        SimDisk replayed = SimDisk.replay(sc.disk.log());
        sc.disk.completeAll();
        replayed.completeAll();
        assertTrue(replayed.image().sameContent(sc.disk.image()));
        assertEquals(sc.disk.log(), replayed.log());
    }
}
