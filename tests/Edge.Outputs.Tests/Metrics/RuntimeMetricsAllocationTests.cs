using System.Diagnostics.Metrics;
using Edge.Outputs.Metrics;
using Edge.Runtime.Pipeline;

namespace Edge.Outputs.Tests.Metrics;

[Collection(nameof(AllocationCollection))]
public sealed class RuntimeMetricsAllocationTests
{
    [Fact]
    public void OnFrame_AfterWarmUp_AllocatesNothing()
    {
        using var metrics = new RuntimeMetrics();
        var reports = Enum.GetValues<FrameOutcome>().Select(outcome => FrameReports.Of(outcome, level: 1)).ToArray();
        Assert.Equal(0, AllocatedReplaying(metrics, reports, 10_000));
        Assert.Equal(0, metrics.UnknownReports);
    }

    [Fact]
    public void OnFrame_FourStreamsTwoHeads_AfterWarmUp_AllocatesNothing()
    {
        string[] streams = ["cam0", "cam1", "cam2", "cam3"];
        using var metrics = new RuntimeMetrics(null, [.. streams.Select(id => new Edge.Runtime.Options.StreamOptions { Id = id, Source = "synthetic" })], ["tagger", "scene"]);
        var reports = streams.SelectMany(id => new[] { FrameReports.Of(FrameOutcome.Published, stream: id, model: "tagger"), FrameReports.Of(FrameOutcome.Withheld, stream: id, model: "scene") })
            .Append(FrameReports.Of(FrameOutcome.Published, stream: "unknown", model: "tagger"))
            .ToArray();
        Assert.Equal(0, AllocatedReplaying(metrics, reports, 9_000));
        Assert.Equal(1011, metrics.UnknownReports);
    }

    [Fact]
    public void OnFrame_FourStreamsTwoHeadsWithAMeterListener_AfterWarmUp_AllocatesNothing()
    {
        string[] streams = ["cam0", "cam1", "cam2", "cam3"];
        using var metrics = new RuntimeMetrics(null, [.. streams.Select(id => new Edge.Runtime.Options.StreamOptions { Id = id, Source = "synthetic" })], ["tagger", "scene"]);
        long counted = 0;
        long countedBefore = 0;
        double observed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => counted += value + (tags.Length > 0 ? 0 : 1_000_000));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => observed += value);
        listener.Start();
        var reports = streams.SelectMany(id => Enum.GetValues<FrameOutcome>().SelectMany(outcome => new[] { FrameReports.Of(outcome, stream: id, model: "tagger"), FrameReports.Of(outcome, stream: id, model: "scene") }))
            .Append(FrameReports.Of(FrameOutcome.Published, stream: "unknown", model: "tagger"))
            .ToArray();
        var allocated = AllocatedReplaying(metrics, reports, 10_000, onMeasuring: () => countedBefore = counted);

        Assert.Equal(0, allocated);
        Assert.InRange(counted - countedBefore, 10_000, 1_000_000 - 1);
        Assert.True(observed > 0);
    }

    /// <summary>Warms up on the reports, then replays <paramref name="frames"/> of them and returns the bytes this thread allocated.</summary>
    private static long AllocatedReplaying(RuntimeMetrics metrics, FrameReport[] reports, int frames, Action? onMeasuring = null)
    {
        for (var i = 0; i < 100; i++)
        {
            metrics.OnFrame(reports[i % reports.Length]);
        }

        // Background GC work would retire this thread's allocation context mid-measurement (see SteadyStateAllocationTests).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        onMeasuring?.Invoke();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < frames; i++)
        {
            metrics.OnFrame(reports[i % reports.Length]);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
