package org.eratestbed.fault.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eratestbed.device.sim.SimDisk;
import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.fault.kernelcrash.KernelCrashCheck;
import org.eratestbed.fault.model.ModelTarget;
import org.eratestbed.model.era.defect.Variant;
import org.eratestbed.model.era.tools.check.CheckReport;
import org.eratestbed.model.era.tools.check.EraCheck;
import org.eratestbed.model.era.tools.disk.ByteArrayBlockSource;
import org.eratestbed.model.kernel.ScriptedPolicy;
import org.junit.jupiter.api.Test;

/** The CI run's flow with a second model in the kernel's place: it must find what differs and nothing else. */
class DifferentialRunTest {
    private static ModelTarget model(Variant v) {
        return new ModelTarget(v, new ScriptedPolicy(List.of()), SimDisk.Completion.IMMEDIATE);
    }

    private static final Set<String> CRASH_CHECKED = Set.of("09-crash-mid-era", "13-crash-snap-held", "06-flush");

    /**
     * The whole corpus on two upstream models: they agree, every final image passes the model's check and
     * thin-provisioning-tools' era_check, and the crash states of three scripts pass every oracle.
     */
    @Test
    void aSecondUpstreamModelAgreesEverywhereWithCleanImagesAndCrashStates() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
        List<String> lines = new ArrayList<>();
        try (ModelTarget m = model(Variant.UPSTREAM); ModelTarget other = model(Variant.UPSTREAM)) {
            DifferentialRun.Outcome o = DifferentialRun.run(DiffCorpus.load(), m, "other", other, other::metadataDisk,
                    CRASH_CHECKED, new KernelCrashCheck.Options(Variant.UPSTREAM::has, 1, 3, 2, null), null, lines::add);
            assertEquals(List.of(), o.differences());
            assertEquals(DiffCorpus.load().size(), o.diffs().size());
            assertEquals(3, o.crashChecks().size(), String.join("\n", lines));
            for (CorpusDiff.ScriptResult r : o.diffs()) {
                byte[] image = r.report().right().metadataImage();
                CheckReport check = EraCheck.check(new ByteArrayBlockSource(image));
                assertTrue(check.ok(), r.entry().name() + ": check: " + check.lines());
                ThinTools.Result tpt = ThinTools.check(image);
                assertEquals(0, tpt.code(), r.entry().name() + ": era_check: " + tpt.err() + tpt.out());
            }
            for (KernelCrashCheck.Report r : o.crashChecks()) {
                assertTrue(r.ok(), r.summary());
                assertTrue(r.states() > 0 && r.acks() > 0, r.summary());
            }
        }
    }

    /** pre-5.12 in the kernel's place: the first differing script and line are named. */
    @Test
    void aPre512ModelDiffersAndTheRunSaysWhere() throws Exception {
        try (ModelTarget m = model(Variant.UPSTREAM); ModelTarget other = model(Variant.PRE_5_12)) {
            DifferentialRun.Outcome o = DifferentialRun.run(DiffCorpus.load().subList(0, 6), m, "pre-5.12", other,
                    other::metadataDisk, Set.of(), new KernelCrashCheck.Options(Variant.UPSTREAM::has, 1, 6, 3, null),
                    null, l -> { });
            assertFalse(o.differences().isEmpty());
            Difference d = o.differences().get(0);
            assertTrue(d.script().endsWith(".era") && d.line() > 0 && !java.util.Objects.equals(d.left(), d.right()),
                    d.describe());
        }
    }
}
