namespace Edge.Runtime.Tests.Pipeline;

/// <summary>The frame path allocates nothing per frame before a model swap, nor once the swapped model is warm.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class ModelSwapAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void RunOnce_SteadyStateBeforeAndAfterASwap_AllocatesNothing(int maxBatch)
    {
        var sink = new CountingSink();
        using var rig = new SwapRig(streams: 4, maxBatch, sink);
        using var next = SwapRig.Renamed("tiny-v2");
        rig.Rounds(20);
        var before = Allocated(rig, rounds: 50);

        var result = rig.Await(rig.Swap.SwapAsync(SwapRig.Head, next.Directory, CancellationToken.None));
        rig.Rounds(20);
        var after = Allocated(rig, rounds: 50);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal((0L, 0L), (before, after));
        Assert.Contains("\"tiny-v2\"", sink.LastMessage, StringComparison.Ordinal);
        Assert.Equal(140 * 4, sink.Count);
    }

    private static long Allocated(SwapRig rig, int rounds)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        rig.Rounds(rounds);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
