using Edge.Outputs.Metrics;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Tests.Metrics;

[Collection(nameof(AllocationCollection))]
public sealed class RuntimeMetricsAllocationTests
{
    [Fact]
    public void OnFrame_AfterWarmUp_AllocatesNothing()
    {
        var metrics = new RuntimeMetrics();
        var reports = Enum.GetValues<FrameOutcome>().Select(outcome => FrameReports.Of(outcome, level: 1)).ToArray();
        for (var i = 0; i < 100; i++)
        {
            metrics.OnFrame(reports[i % reports.Length]);
        }

        // Background GC work would retire this thread's allocation context mid-measurement (see SteadyStateAllocationTests).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            metrics.OnFrame(reports[i % reports.Length]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal("10100", Exposition.Value(Exposition.Render(metrics), "edge_frames_processed_total"));
    }
}
