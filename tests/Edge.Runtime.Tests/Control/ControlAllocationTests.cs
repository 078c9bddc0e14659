using Edge.Runtime.Budget;
using Edge.Runtime.Options;

namespace Edge.Runtime.Tests.Control;

/// <summary>The frame path allocates nothing per frame while no change is pending, nor once changes were applied.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class ControlAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void RunOnce_BeforeAndAfterControlChanges_AllocatesNothing(int maxBatch)
    {
        var sink = new CountingSink();
        using var rig = new ControlRig(streams: 4, maxBatch, sink, collect: false);
        rig.Rounds(20);
        var before = Allocated(rig, rounds: 50);

        rig.Await(rig.Control.SetThresholdsAsync("cam0", null, new Dictionary<string, ThresholdOverride> { [TestBundle.LabelNames[0]] = new() { Threshold = 0.3f, OffThreshold = 0.1f } }));
        rig.Await(rig.Control.SetBudgetAsync("cam1", 5_000, MissPolicy.Drop));
        rig.Await(rig.Control.SetBudgetAsync("cam2", null, MissPolicy.Degrade));
        rig.Await(rig.Control.PauseAsync("cam3"));
        rig.Rounds(20);
        var paused = Allocated(rig, rounds: 50);
        rig.Await(rig.Control.ResumeAsync("cam3"));
        rig.Rounds(20);
        var after = Allocated(rig, rounds: 50);

        Assert.Equal((0L, 0L, 0L), (before, paused, after));
        Assert.Equal(70, rig.Lane("cam3").Stats.Paused);
        Assert.Equal((70 * 4) + (70 * 3) + (70 * 4), sink.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void RunOnce_AfterStreamsJoinedAndLeft_AllocatesNothing(int maxBatch)
    {
        var sink = new CountingSink();
        using var rig = new ControlRig(streams: 3, maxBatch, sink, collect: false);
        rig.Rounds(20);

        rig.Await(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "manual:door" }));
        rig.Await(rig.Control.RemoveStreamAsync("cam1"));
        rig.Rounds(20);
        var after = Allocated(rig, rounds: 50);

        Assert.Equal(0L, after);
        Assert.Equal((20 * 3) + (70 * 3), sink.Count);
    }

    private static long Allocated(ControlRig rig, int rounds)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        rig.Rounds(rounds);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
