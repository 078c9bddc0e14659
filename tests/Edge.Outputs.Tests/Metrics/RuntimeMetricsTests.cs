using Edge.Outputs.Metrics;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Metrics;

public sealed class RuntimeMetricsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OnFrame_SequenceOfOutcomes_CountsEachKind()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start));
        FrameOutcome[] outcomes =
        [
            FrameOutcome.Published, FrameOutcome.Published, FrameOutcome.Published, FrameOutcome.PublishedLate,
            FrameOutcome.DroppedStale, FrameOutcome.DroppedStale, FrameOutcome.Skipped, FrameOutcome.Withheld,
            FrameOutcome.Cancelled, FrameOutcome.Cancelled, FrameOutcome.Paused,
        ];
        for (var i = 0; i < outcomes.Length; i++)
        {
            metrics.OnFrame(FrameReports.Of(outcomes[i], frame: i));
        }

        var text = Exposition.Render(metrics);

        Assert.Equal("11", Exposition.Value(text, "edge_frames_processed_total{stream=\"cam0\"}"));
        Assert.Equal("4", Exposition.Value(text, "edge_frames_published_total{stream=\"cam0\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"stale\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"skipped\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"paused\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_late_total{stream=\"cam0\"}"));
        Assert.Equal("1", Exposition.Value(text, "edge_frames_withheld_total{stream=\"cam0\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_frames_cancelled_total{stream=\"cam0\"}"));
        Assert.Equal("4", Exposition.Value(text, "edge_deadline_missed_total{stream=\"cam0\"}"));
    }

    [Fact]
    public void OnFrame_StageLatency_RecordedForDecodedFramesOnly()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start));
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        var text = Exposition.Render(metrics);

        // Published, late and withheld frames were decoded; stale, skipped and cancelled ones report zeros.
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"inference\"}"));
        Assert.Equal("0.06", Exposition.Value(text, "edge_stage_latency_seconds_sum{stream=\"cam0\",stage=\"inference\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"inference\",le=\"0.019\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"inference\",le=\"0.02\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"queue\",le=\"0.001\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"preprocess\",le=\"0.002\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"preprocess\",le=\"0.003\"}"));
        Assert.Equal("3", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"decode\"}"));
    }

    [Fact]
    public void OnFrame_PublishStage_DecodedToHandedToTheSink_ForPublishedFramesOnly()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start));
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        var text = Exposition.Render(metrics);

        // Published and late frames: end-to-end 30 ms minus 23.7 ms to the decoded label set. Withheld ones never reach the sink.
        Assert.Equal("2", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"publish\"}"));
        Assert.Equal(0.0126, double.Parse(Exposition.Value(text, "edge_stage_latency_seconds_sum{stream=\"cam0\",stage=\"publish\"}"), System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.006\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.007\"}"));
    }

    [Fact]
    public void OnFrame_EndToEndLatency_RecordedForPublishedFramesOnly()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start));
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        var text = Exposition.Render(metrics);

        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_count{stream=\"cam0\"}"));
        Assert.Equal("0.06", Exposition.Value(text, "edge_end_to_end_latency_seconds_sum{stream=\"cam0\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"0.028\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"0.03\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_end_to_end_latency_seconds_bucket{stream=\"cam0\",le=\"+Inf\"}"));
    }

    [Fact]
    public void WriteTo_EveryHistogramHasHelpTypeAndAllBuckets()
    {
        var text = Exposition.Render(new RuntimeMetrics(new FakeTimeProvider(Start)));
        var lines = Exposition.Lines(text);

        Assert.Contains("# TYPE edge_stage_latency_seconds histogram", lines);
        Assert.Contains("# TYPE edge_end_to_end_latency_seconds histogram", lines);
        Assert.Contains("# TYPE edge_frames_dropped_total counter", lines);
        Assert.Contains("# TYPE edge_degrade_level gauge", lines);
        foreach (var stage in new[] { "queue", "preprocess", "inference", "decode", "publish" })
        {
            Assert.Equal(LatencyHistogram.DefaultBoundsSeconds.Length + 1, lines.Count(l => l.StartsWith($"edge_stage_latency_seconds_bucket{{stream=\"cam0\",stage=\"{stage}\",", StringComparison.Ordinal)));
        }

        Assert.Equal("0", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"decode\",le=\"+Inf\"}"));
        Assert.Equal("0", Exposition.Value(text, "edge_end_to_end_latency_seconds_sum{stream=\"cam0\"}"));
    }

    [Fact]
    public void WriteTo_EachFamilyIsDeclaredOnceBeforeItsSamples()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start))
        {
            CapturedFrames = _ => 1,
            OverwrittenFrames = _ => 0,
            Model = new ModelInfo("m", "s", "p", "e"),
        };
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        var declared = new HashSet<string>();

        foreach (var line in Exposition.Lines(Exposition.Render(metrics)))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.True(declared.Add(line.Split(' ')[2]), line);
            }
            else if (!line.StartsWith('#'))
            {
                var name = line.Split('{', ' ')[0];
                Assert.Contains(declared, family => name == family || name.StartsWith(family + "_", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void OnFrame_DegradeLevel_IsTheLatestReported()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start));
        Assert.Equal("0", Exposition.Value(Exposition.Render(metrics), "edge_degrade_level{stream=\"cam0\"}"));

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, level: 2));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Skipped, level: 1));

        Assert.Equal("1", Exposition.Value(Exposition.Render(metrics), "edge_degrade_level{stream=\"cam0\"}"));
    }

    [Fact]
    public void LastFrameTimestamp_AbsentBeforeTheFirstFrameThenTheUnixTimeOfTheLatest()
    {
        var time = new FakeTimeProvider(Start);
        var metrics = new RuntimeMetrics(time);
        Assert.False(Exposition.Has(Exposition.Render(metrics), "edge_last_frame_timestamp_seconds"));
        Assert.Null(metrics.SinceLastFrame);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        time.Advance(TimeSpan.FromMilliseconds(1500));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale));
        time.Advance(TimeSpan.FromSeconds(2));

        var expected = (Start.ToUnixTimeMilliseconds() + 1500) / 1000.0;
        Assert.Equal(PrometheusTextWriter.FormatValue(expected), Exposition.Value(Exposition.Render(metrics), "edge_last_frame_timestamp_seconds{stream=\"cam0\"}"));
        Assert.Equal(TimeSpan.FromSeconds(2), metrics.SinceLastFrame);
    }

    [Fact]
    public void Providers_AreReadAtScrapeTime()
    {
        long captured = 5;
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start)) { CapturedFrames = _ => captured, OverwrittenFrames = _ => 2 };
        Assert.Equal("5", Exposition.Value(Exposition.Render(metrics), "edge_frames_captured_total{stream=\"cam0\"}"));

        captured = 9;
        var text = Exposition.Render(metrics);

        Assert.Equal("9", Exposition.Value(text, "edge_frames_captured_total{stream=\"cam0\"}"));
        Assert.Equal("2", Exposition.Value(text, "edge_frames_overwritten_total{stream=\"cam0\"}"));
        Assert.Contains("# TYPE edge_frames_captured_total counter", Exposition.Lines(text));
    }

    [Fact]
    public void RunLoopMetrics_AbsentUntilSet()
    {
        var text = Exposition.Render(new RuntimeMetrics(new FakeTimeProvider(Start)));

        Assert.False(Exposition.Has(text, "edge_frames_captured_total"));
        Assert.False(Exposition.Has(text, "edge_frames_overwritten_total"));
        Assert.False(Exposition.Has(text, "edge_model_info"));
    }

    [Fact]
    public void Model_IsAnInfoGaugeWithEscapedLabels()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start))
        {
            Model = new ModelInfo("models\\fashion \"v2\"", "ab12", "int8", "CPUExecutionProvider"),
        };

        var text = Exposition.Render(metrics);

        Assert.Equal("1", Exposition.Value(text, "edge_model_info{model=\"models\\\\fashion \\\"v2\\\"\",sha256=\"ab12\",precision=\"int8\",ep=\"CPUExecutionProvider\"}"));
        Assert.Contains("# TYPE edge_model_info gauge", Exposition.Lines(text));
    }

    [Fact]
    public void WriteTo_ProviderThrows_Propagates()
    {
        var metrics = new RuntimeMetrics(new FakeTimeProvider(Start)) { OverwrittenFrames = _ => throw new InvalidOperationException("slot gone") };

        Assert.Throws<InvalidOperationException>(() => Exposition.Render(metrics));
    }
}
