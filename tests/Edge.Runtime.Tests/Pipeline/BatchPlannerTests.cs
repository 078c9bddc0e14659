using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>Batch sizing on scripted latencies: timestamps in ms (1000 ticks per second).</summary>
public sealed class BatchPlannerTests
{
    private const long Ms = 1000;

    /// <summary>Batches of n take 10 + 4n ms (every size measured once, so predictions are the scripted values).</summary>
    private static BatchLatencyModel Scripted(int maxBatch = 8)
    {
        var model = new BatchLatencyModel(maxBatch);
        for (var size = 1; size <= maxBatch; size++)
        {
            model.Record(size, 10 + (4 * size));
        }

        return model;
    }

    [Fact]
    public void Size_SlackFitsEveryFrame_TakesThemAllUpToTheMaximum()
    {
        var size = BatchPlanner.Size([100, 100, 100, 100, 100, 100, 100, 100, 100, 100], now: 0, Scripted(), Ms);

        Assert.Equal(8, size);
    }

    [Fact]
    public void Size_GrowthWouldPassTheEarliestDeadline_StopsAtTheSlack()
    {
        // Slack 30 ms at the earliest deadline: 4 frames take 26 ms, 5 take 30 ms, 6 take 34 ms.
        var size = BatchPlanner.Size([30, 50, 60, 70, 80, 90], now: 0, Scripted(), Ms);

        Assert.Equal(5, size);
    }

    [Fact]
    public void Size_LaterFramesDoNotLoosenTheEarliestDeadline_BatchStopsWhereTheFirstFrameWouldMiss()
    {
        var size = BatchPlanner.Size([15, 500, 500], now: 0, Scripted(), Ms);

        Assert.Equal(1, size);
    }

    [Fact]
    public void Size_EarliestFrameIsHopeless_NextMeetableDeadlineBindsTheBatch()
    {
        // The first frame misses even alone (14 ms > 5 ms); it must not keep the others from batching, and the second
        // frame's 22 ms slack allows three (22 ms), not four (26 ms).
        var size = BatchPlanner.Size([5, 22, 200, 200], now: 0, Scripted(), Ms);

        Assert.Equal(3, size);
    }

    [Fact]
    public void Size_NothingMeasuredYet_PredictsNothingAndTakesTheMaximum()
    {
        var size = BatchPlanner.Size([1, 1, 1], now: 0, new BatchLatencyModel(2), Ms);

        Assert.Equal(2, size);
    }

    [Fact]
    public void Size_NoFrameWaits_IsZero()
    {
        Assert.Equal(0, BatchPlanner.Size([], now: 0, Scripted(), Ms));
    }

    [Theory]
    [InlineData(13, true)]
    [InlineData(14, false)]
    [InlineData(40, false)]
    public void Hopeless_DeadlineAgainstABatchOfOne_TrueOnlyWhenEvenOneFrameMisses(long deadline, bool hopeless)
    {
        Assert.Equal(hopeless, BatchPlanner.Hopeless(deadline, now: 0, Scripted(), Ms));
    }
}
