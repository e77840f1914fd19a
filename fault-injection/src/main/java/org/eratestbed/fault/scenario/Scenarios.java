package org.eratestbed.fault.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The reviewed-race and fixed-bug catalogue: one scenario per {@link org.eratestbed.model.era.defect.Defect}. */
public final class Scenarios {
    private Scenarios() {
    }

    /** Every scenario, in the defect catalogue's order. */
    public static List<Scenario> all() {
        List<Scenario> list = new ArrayList<>(List.of(
                new DestroyNullMetadataScenario(),
                new ZeroBlockSizeScenario(),
                new SmRootUnalignedScenario(),
                new FreshMetadataLeakScenario(),
                new FormatNotUndoneScenario(),
                new AllZeroesWholeBlockScenario(),
                new BitsetLeakScenario(),
                new IncoreBitBeforeCommitScenario(),
                new RecoverCommittedWritesetScenario(),
                new DigestBitsetCacheScenario(),
                new BlockSizeChangeScenario(),
                new WritesetEqualSizeScenario(),
                new ResizeInPreresumeScenario(),
                new PostsuspendCommitScenario(),
                new Deadlock2023Scenario(),
                new InflightWriteScenario(),
                new RpcResultNoBarrierScenario(),
                new FlushNotPassedThroughScenario(),
                new ArchivedWritesetsNoBarrierScenario(),
                new EraSplit64Scenario(),
                new NrFreeTornReadScenario(),
                new TestBitSignedIndexScenario(),
                new BitsetSizeOverflowScenario(),
                new FormatUnorderedCommitScenario(),
                new CommitAfterFailedWriteScenario(),
                new LoadWhileActiveScenario(),
                new MetadataClosedBeforeWorkerScenario(),
                new MessageBeforePreresumeScenario()));
        list.sort(Comparator.comparing(s -> s.defect().ordinal()));
        return List.copyOf(list);
    }

    /** The scenario with this id (the defect id, e.g. {@code M5-sm-root-unaligned}), if any. */
    public static Optional<Scenario> byId(String id) {
        return all().stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
