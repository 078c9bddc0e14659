using System.Globalization;
using System.Net;
using Edge.Outputs.Metrics;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Metrics;

/// <summary>The exposition OpenTelemetry's Prometheus exporter makes of the Edge.Runtime meter, over real HTTP.</summary>
public sealed class MetricsRoutesTests
{
    private static readonly string[] Stages = ["queue", "preprocess", "inference", "decode", "publish"];

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Metrics_EveryFamily_DeclaredOnceWithItsTypeBeforeItsSamples()
    {
        using var served = new ServedMetrics(time);
        served.Metrics.CapturedFrames = _ => 1;
        served.Metrics.OverwrittenFrames = _ => 0;
        served.Metrics.Model = new ModelInfo("m", "s", "p", "e");
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            served.Metrics.OnFrame(FrameReports.Of(outcome));
        }

        var lines = Exposition.Lines(await served.ScrapeAsync());

        var types = lines.Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(line => line.Split(' ')[2..]).ToArray();
        Assert.Equal(types.Length, types.Select(type => type[0]).Distinct().Count());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["edge_stage_latency_seconds"] = "histogram", ["edge_end_to_end_latency_seconds"] = "histogram",
                ["edge_frames_processed_total"] = "counter", ["edge_frames_published_total"] = "counter", ["edge_frames_dropped_total"] = "counter",
                ["edge_frames_late_total"] = "counter", ["edge_frames_withheld_total"] = "counter", ["edge_frames_cancelled_total"] = "counter",
                ["edge_deadline_missed_total"] = "counter", ["edge_unknown_stream_reports_total"] = "counter", ["edge_frames_captured_total"] = "counter",
                ["edge_frames_overwritten_total"] = "counter", ["edge_degrade_level"] = "gauge", ["edge_last_frame_timestamp_seconds"] = "gauge",
                ["edge_camera_connected"] = "gauge", ["edge_model_info"] = "gauge",
                ["stream_fps"] = "gauge", ["stream_latency_milliseconds"] = "gauge", ["stream_frame_number"] = "gauge", ["stream_count"] = "gauge",
            }.OrderBy(pair => pair.Key, StringComparer.Ordinal),
            types.ToDictionary(type => type[0], type => type[1]).OrderBy(pair => pair.Key, StringComparer.Ordinal));
        var declared = new HashSet<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                declared.Add(line.Split(' ')[2]);
            }
            else if (!line.StartsWith('#'))
            {
                var name = line.Split('{', ' ')[0];
                Assert.Contains(declared, family => name == family || name.StartsWith(family + "_", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Metrics_FrameCounters_PerOutcomeUnderTheirLabels()
    {
        using var served = new ServedMetrics(time);
        FrameOutcome[] outcomes =
        [
            FrameOutcome.Published, FrameOutcome.Published, FrameOutcome.Published, FrameOutcome.PublishedLate,
            FrameOutcome.DroppedStale, FrameOutcome.DroppedStale, FrameOutcome.Skipped, FrameOutcome.Withheld,
            FrameOutcome.Cancelled, FrameOutcome.Cancelled,
        ];
        foreach (var outcome in outcomes)
        {
            served.Metrics.OnFrame(FrameReports.Of(outcome));
        }

        var text = await served.ScrapeAsync();

        Assert.Equal("10", Exposition.Value(text, "edge_frames_processed_total{stream=\"cam0\"}"));
        Assert.Equal("4", Exposition.Value(text, "edge_frames_published_total{stream=\"cam0\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"stale\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"skipped\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_late_total{stream=\"cam0\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_withheld_total{stream=\"cam0\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_frames_cancelled_total{stream=\"cam0\"}"));
        Assert.Equal("4", Exposition.Value(text, "edge_deadline_missed_total{stream=\"cam0\"}"));
    }

    [Fact]
    public async Task Metrics_BeforeTheFirstFrame_EveryConfiguredCounterSeriesAtZeroAndNoHistogram()
    {
        using var served = new ServedMetrics(time, [new StreamOptions { Id = "front", Source = "synthetic" }, new StreamOptions { Id = "back", Source = "synthetic" }], ["tagger", "scene"]);

        var text = await served.ScrapeAsync();

        foreach (var stream in new[] { "front", "back" })
        {
            foreach (var model in new[] { "tagger", "scene" })
            {
                Assert.Equal("0", Exposition.Value(text, $"edge_frames_processed_total{{stream=\"{stream}\",model=\"{model}\"}}"));
                Assert.Equal("0", Exposition.Value(text, $"edge_frames_dropped_total{{stream=\"{stream}\",model=\"{model}\",reason=\"skipped\"}}"));
                Assert.Equal("0", Exposition.Value(text, $"edge_degrade_level{{stream=\"{stream}\",model=\"{model}\"}}"));
            }
        }

        Assert.Equal("0", Exposition.Value(text, "edge_unknown_stream_reports_total"));
        Assert.Equal("0", Exposition.Value(text, "stream_count"));
        Assert.False(Exposition.Has(text, "edge_stage_latency_seconds_bucket"));
        Assert.False(Exposition.Has(text, "edge_last_frame_timestamp_seconds"));
    }

    [Fact]
    public async Task Metrics_Histograms_TheFixedBucketsCumulativeWithSumAndCount()
    {
        using var served = new ServedMetrics(time);
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            served.Metrics.OnFrame(FrameReports.Of(outcome));
        }

        var text = await served.ScrapeAsync();
        var lines = Exposition.Lines(text);

        string[] expectedBounds = [.. LatencyBuckets.Seconds.Select(bound => bound.ToString(CultureInfo.InvariantCulture)), "+Inf"];
        foreach (var stage in Stages)
        {
            var bounds = lines.Where(line => line.StartsWith("edge_stage_latency_seconds_bucket{", StringComparison.Ordinal) && line.Contains($"stage=\"{stage}\"", StringComparison.Ordinal))
                .Select(line => line.Split("le=\"")[1].Split('"')[0]);
            Assert.Equal(expectedBounds, bounds);
        }

        // Published, late and withheld frames were decoded (20 ms of inference each); stale, skipped and cancelled ones were not.
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"inference\"}"));
        Assert.Equal(0.06, Exposition.Number(text, "edge_stage_latency_seconds_sum{stream=\"cam0\",stage=\"inference\"}"), 9);
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"inference\",le=\"0.019\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"inference\",le=\"0.02\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"queue\",le=\"0.0005\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"preprocess\",le=\"0.002\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"preprocess\",le=\"0.003\"}"));

        // Published and late ones reached the sink: 30 ms end to end, 6.3 ms of it after decoding.
        Assert.Equal("2", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"publish\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.006\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.007\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_count{stream=\"cam0\"}"));
        Assert.Equal(0.06, Exposition.Number(text, "edge_end_to_end_latency_seconds_sum{stream=\"cam0\"}"), 9);
        Assert.Equal("0", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"0.028\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"0.03\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"+Inf\"}"));
    }

    [Fact]
    public async Task Metrics_StateGaugesAndDeepStreamNames_PerStreamAndModel()
    {
        using var served = new ServedMetrics(time, [new StreamOptions { Id = "front", Source = "synthetic" }], ["tagger", "scene"]);
        served.Metrics.Model = new ModelInfo("models\\fashion \"v2\"", "ab12", "int8", "CPUExecutionProvider");
        for (var frame = 1; frame <= 26; frame++)
        {
            served.Metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, frame: frame, level: 1, stream: "front", model: "scene"));
            time.Advance(TimeSpan.FromMilliseconds(40));
        }

        var text = await served.ScrapeAsync();

        Assert.Equal("25", Exposition.Value(text, "stream_fps{stream=\"front\",model=\"scene\"}"));
        Assert.Equal("0", Exposition.Value(text, "stream_fps{stream=\"front\",model=\"tagger\"}"));
        Assert.Equal("30", Exposition.Value(text, "stream_latency_milliseconds{stream=\"front\",model=\"scene\"}"));
        Assert.Equal("26", Exposition.Value(text, "stream_frame_number{stream=\"front\",model=\"scene\"}"));
        Assert.Equal("1", Exposition.Value(text, "stream_count"));
        Assert.Equal("1", Exposition.Value(text, "edge_degrade_level{stream=\"front\",model=\"scene\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_camera_connected{stream=\"front\"}"));
        Assert.Equal((time.GetUtcNow().ToUnixTimeMilliseconds() - 40) / 1000.0, Exposition.Number(text, "edge_last_frame_timestamp_seconds{stream=\"front\",model=\"scene\"}"), 3);
        Assert.Equal("1", Exposition.Value(text, "edge_model_info{model=\"models\\\\fashion \\\"v2\\\"\",sha256=\"ab12\",precision=\"int8\",ep=\"CPUExecutionProvider\"}"));
    }

    [Fact]
    public async Task Metrics_TwoRunsInOneProcess_EachServesOnlyItsOwnSeries()
    {
        using var first = new ServedMetrics(time, [new StreamOptions { Id = "first-cam", Source = "synthetic" }]);
        using var second = new ServedMetrics(time, [new StreamOptions { Id = "second-cam", Source = "synthetic" }]);
        first.Metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "first-cam"));
        second.Metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "second-cam"));
        second.Metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "second-cam"));

        var firstText = await first.ScrapeAsync();
        var secondText = await second.ScrapeAsync();

        Assert.Equal("1", Exposition.Value(firstText, "edge_frames_published_total{stream=\"first-cam\"}"));
        Assert.Equal("2", Exposition.Value(secondText, "edge_frames_published_total{stream=\"second-cam\"}"));
        Assert.DoesNotContain("second-cam", firstText, StringComparison.Ordinal);
        Assert.DoesNotContain("first-cam", secondText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ProviderThrows_Answers500ForThatScrapeThenServesAgain()
    {
        using var served = new ServedMetrics(time);
        var failing = true;
        served.Metrics.OverwrittenFrames = _ => failing ? throw new InvalidOperationException("slot\ngone") : 3;

        using (var failed = await served.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", failed.Content.Headers.ContentType?.ToString());
            Assert.Equal("metrics unavailable: InvalidOperationException: slot gone\n", await failed.Content.ReadAsStringAsync());
        }

        failing = false;
        var text = await served.ScrapeAsync();

        Assert.Equal("3", Exposition.Value(text, "edge_frames_overwritten_total{stream=\"cam0\"}"));
        Assert.Equal(1, served.Metrics.CollectFailures);
    }

    [Fact]
    public async Task Metrics_OpenMetricsAsked_AnswersOpenMetricsLikePrometheusGetsIt()
    {
        using var served = new ServedMetrics(time);
        served.Metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));

        using var response = await served.GetAsync("/metrics", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/openmetrics-text; version=1.0.0", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Equal("1", Exposition.Value(text, "edge_frames_published_total{stream=\"cam0\"}"));
        Assert.Contains("# TYPE edge_frames_published counter", Exposition.Lines(text));
    }
}
