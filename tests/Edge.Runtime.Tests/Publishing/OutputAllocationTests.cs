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

    [Fact]
    public void OnFrame_LabelSetsOfFourStreamsRoutedToTwoFiles_AllocatesNothing()
    {
        var runPath = Path.GetTempFileName();
        var rearPath = Path.GetTempFileName();
        try
        {
            using var run = JsonLinesSink.Open(runPath, new ManualTimeProvider(), NullLogger.Instance);
            using var rear = JsonLinesSink.Open(rearPath, new ManualTimeProvider(), NullLogger.Instance);
            var output = new LabelSetLinesOutput(run, new Dictionary<string, JsonLinesSink> { ["rear"] = rear, ["left"] = rear, ["right"] = run });
            FrameReport[] reports = [LabelSetLinesOutputTests.Report("front", 1), LabelSetLinesOutputTests.Report("rear", 2), LabelSetLinesOutputTests.Report("left", 3), LabelSetLinesOutputTests.Report("right", 4)];
            foreach (var report in reports)
            {
                output.OnFrame(report);
            }

            Settle();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                output.OnFrame(reports[i % reports.Length]);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(102, rear.Written);
            Assert.Equal(102, run.Written);
        }
        finally
        {
            File.Delete(runPath);
            File.Delete(rearPath);
        }
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
