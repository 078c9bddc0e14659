using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Server.Tests.Metrics;

/// <summary>The frame path with /metrics' exporter listening: recording stays free of allocations.</summary>
[Collection(nameof(AllocationCollection))]
public sealed class MetricsAllocationTests
{
    [Fact]
    public async Task OnFrame_PrometheusExporterAttached_FourStreamsTwoHeads_AllocatesNothing()
    {
        string[] streams = ["cam0", "cam1", "cam2", "cam3"];
        using var served = new ServedMetrics(null, [.. streams.Select(id => new StreamOptions { Id = id, Source = "synthetic" })], ["tagger", "scene"]);
        var reports = streams
            .SelectMany(id => Enum.GetValues<FrameOutcome>().SelectMany(outcome => new[] { FrameReports.Of(outcome, stream: id, model: "tagger"), FrameReports.Of(outcome, stream: id, model: "scene") }))
            .Append(FrameReports.Of(FrameOutcome.Published, stream: "unknown", model: "tagger"))
            .ToArray();

        // Every series and tag set once, and one scrape, before measuring: the exporter makes its points on first sight.
        foreach (var report in reports)
        {
            served.Metrics.OnFrame(report);
        }

        await served.ScrapeAsync();
        var allocated = AllocatedReplaying(served.Metrics, reports, 10_000);
        var text = await served.ScrapeAsync();

        Assert.Equal(0, allocated);
        var processed = Exposition.Samples(text).Where(sample => sample.Series.StartsWith("edge_frames_processed_total{", StringComparison.Ordinal)).Sum(sample => long.Parse(sample.Value, System.Globalization.CultureInfo.InvariantCulture));
        var unknown = 2 + (10_000 / reports.Length);
        Assert.Equal((2 * reports.Length) + 10_000 - unknown, processed);
        Assert.Equal($"{unknown}", Exposition.Value(text, "edge_unknown_stream_reports_total"));
    }

    /// <summary>
    /// Replays the reports once to warm this thread up (the SDK keeps per-thread scratch space for sorting tags; after
    /// an await the test may run on another thread than before), then <paramref name="frames"/> of them, and returns
    /// the bytes this thread allocated in the second pass.
    /// </summary>
    private static long AllocatedReplaying(Edge.Outputs.Metrics.RuntimeMetrics metrics, FrameReport[] reports, int frames)
    {
        foreach (var report in reports)
        {
            metrics.OnFrame(report);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < frames; i++)
        {
            metrics.OnFrame(reports[i % reports.Length]);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
