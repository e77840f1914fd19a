package org.eratestbed.fault.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.eratestbed.device.SyncIo;
import org.eratestbed.device.nbd.NbdClientDevice;
import org.eratestbed.device.BioOp;
import org.eratestbed.device.sim.IoRecord;
import org.junit.jupiter.api.Test;

/** What a client writes over NBD is served back, readable on the host, logged, and faulted when the plan says. */
class SimDiskExportsTest {
    @Test
    void aClientsWritesAreReadableAndTheMetadataExportLogsThem() {
        byte[] start = new byte[8192];
        start[0] = 7;
        try (SimDiskExports ex = new SimDiskExports()) {
            ex.create("s1-metadata.img", 1 << 20, start);
            ex.create("s1-origin.img", 1 << 20, null);
            byte[] data = new byte[4096];
            data[5] = 42;
            try (NbdClientDevice md = NbdClientDevice.connect("127.0.0.1", ex.port(), "s1-metadata.img");
                    NbdClientDevice origin = NbdClientDevice.connect("127.0.0.1", ex.port(), "s1-origin.img")) {
                new SyncIo(md).write(16, data, true);
                new SyncIo(md).flush();
                new SyncIo(origin).write(0, data);
            }
            byte[] md = ex.read("s1-metadata.img");
            assertEquals(7, md[0]);
            assertArrayEquals(data, java.util.Arrays.copyOfRange(md, 16 * 512, 16 * 512 + 4096));
            assertEquals(42, ex.read("s1-origin.img")[5]);
            // the starting image (a write and a flush), then the client's FUA write and flush
            var records = ex.disk("s1-metadata.img").log().records().stream()
                    .filter(r -> r.op() != BioOp.READ).toList();
            assertEquals(4, records.size(), records.toString());
            IoRecord w = records.get(2);
            assertEquals(16, w.sector());
            assertEquals(true, w.fua());
            ex.delete("s1-metadata.img");
            assertEquals(7, ex.read("s1-metadata.img")[0], "a deleted export stays readable until close");
        }
    }

    @Test
    void aMetadataFaultPlanCountsTheClientsRequestsOnly() {
        byte[] start = new byte[8192];
        start[0] = 7;
        try (SimDiskExports ex = new SimDiskExports(org.eratestbed.device.fault.FaultPlan.parse("seed=1; eio-write op=1"),
                org.eratestbed.device.fault.FaultPlan.NONE)) {
            ex.create("s1-metadata.img", 1 << 20, start);
            ex.create("s1-origin.img", 1 << 20, null);
            byte[] data = new byte[4096];
            try (NbdClientDevice md = NbdClientDevice.connect("127.0.0.1", ex.port(), "s1-metadata.img");
                    NbdClientDevice origin = NbdClientDevice.connect("127.0.0.1", ex.port(), "s1-origin.img")) {
                new SyncIo(md).write(8, data);
                assertThrows(RuntimeException.class, () -> new SyncIo(md).write(16, data), "the second request fails");
                new SyncIo(origin).write(0, data);
            }
            assertEquals(7, ex.read("s1-metadata.img")[0], "the starting image is the disk's base, not a request");
            assertEquals(1, ex.disk("s1-metadata.img").faultEvents().size());
            assertEquals(0, ex.disk("s1-origin.img").faultEvents().size());
        }
    }
}
