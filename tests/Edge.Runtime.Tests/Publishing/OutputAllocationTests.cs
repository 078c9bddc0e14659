using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Runtime.Tests.Publishing;

/// <summary>What the frame path calls per frame beyond the pipeline itself: the JSON-lines file and the missed-deadline watch.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class OutputAllocationTests
{
    [Fact]
    public void Publish_ToAFileInSteadyState_AllocatesNothing()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var sink = JsonLinesSink.Open(path, new ManualTimeProvider(), NullLogger.Instance);
            var line = JsonLinesSinkTests.Line(1);
            for (var i = 0; i < 20; i++)
            {
                sink.Publish(line);
            }

            Settle();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                sink.Publish(line);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(220, sink.Written);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OnFrame_EveryFrameMissingBetweenWarnings_AllocatesNothing()
    {
        var time = new ManualTimeProvider();
        var watch = new MissedDeadlineWatch(1, time, NullLogger.Instance);
        var cancelled = FrameReports.Of(FrameOutcome.Cancelled);
        var met = FrameReports.Of(FrameOutcome.Published);
        watch.OnFrame(met);
        watch.OnFrame(cancelled);

        Settle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(40)); // 4 s in all: under the first warning
            watch.OnFrame(i % 10 == 9 ? FrameReports.Of(FrameOutcome.PublishedLate) : cancelled);
        }

        watch.OnFrame(met);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, watch.Warnings);
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
