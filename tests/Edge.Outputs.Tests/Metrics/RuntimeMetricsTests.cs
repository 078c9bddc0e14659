using Edge.Outputs.Metrics;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Metrics;

/// <summary>What a frame records into the instruments (the exposition of them: Edge.Server.Tests, MetricsRoutesTests).</summary>
public sealed class RuntimeMetricsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Start);
    private readonly RuntimeMetrics metrics;
    private readonly MeterRecorder recorder;

    public RuntimeMetricsTests()
    {
        metrics = new RuntimeMetrics(time);
        recorder = new MeterRecorder(metrics.Meter);
    }

    public void Dispose()
    {
        recorder.Dispose();
        metrics.Dispose();
    }

    [Fact]
    public void OnFrame_SequenceOfOutcomes_CountsEachKind()
    {
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

        var sums = recorder.Sums;
        Assert.Equal(11, sums["edge_frames_processed{stream=\"cam0\"}"]);
        Assert.Equal(4, sums["edge_frames_published{stream=\"cam0\"}"]);
        Assert.Equal(2, sums["edge_frames_dropped{stream=\"cam0\",reason=\"stale\"}"]);
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"cam0\",reason=\"skipped\"}"]);
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"cam0\",reason=\"paused\"}"]);
        Assert.Equal(1, sums["edge_frames_late{stream=\"cam0\"}"]);
        Assert.Equal(1, sums["edge_frames_withheld{stream=\"cam0\"}"]);
        Assert.Equal(2, sums["edge_frames_cancelled{stream=\"cam0\"}"]);
        Assert.Equal(4, sums["edge_deadline_missed{stream=\"cam0\"}"]);
    }

    [Fact]
    public void OnFrame_StageLatency_RecordedForDecodedFramesOnly()
    {
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        // Published, late and withheld frames were decoded; stale, skipped and cancelled ones report zeros.
        Assert.Equal([0.020, 0.020, 0.020], recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"inference\"}"));
        Assert.Equal([0.0005, 0.0005, 0.0005], recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"queue\"}"));
        Assert.Equal([0.003, 0.003, 0.003], recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"preprocess\"}"));
        Assert.Equal([0.0002, 0.0002, 0.0002], recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"decode\"}"));
    }

    [Fact]
    public void OnFrame_PublishStage_DecodedToHandedToTheSink_ForPublishedFramesOnly()
    {
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        // Published and late frames: end-to-end 30 ms minus 23.7 ms to the decoded label set. Withheld ones never reach the sink.
        var publish = recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"publish\"}");
        Assert.Equal(2, publish.Count);
        Assert.All(publish, seconds => Assert.Equal(0.0063, seconds, 9));
    }

    [Fact]
    public void OnFrame_EndToEndLatency_RecordedForPublishedFramesOnly()
    {
        foreach (var outcome in Enum.GetValues<FrameOutcome>())
        {
            metrics.OnFrame(FrameReports.Of(outcome));
        }

        Assert.Equal([0.030, 0.030], recorder.Values("edge_end_to_end_latency{stream=\"cam0\"}"));
    }

    [Fact]
    public void AnnounceSeries_AddsZeroToEveryFrameCounterSeries()
    {
        metrics.AnnounceSeries();

        foreach (var counter in new[] { "processed", "published", "late", "withheld", "cancelled" })
        {
            Assert.Equal([0.0], recorder.Values($"edge_frames_{counter}{{stream=\"cam0\"}}"));
        }

        Assert.Equal([0.0], recorder.Values("edge_deadline_missed{stream=\"cam0\"}"));
        Assert.Equal([0.0], recorder.Values("edge_frames_dropped{stream=\"cam0\",reason=\"stale\"}"));
        Assert.Equal([0.0], recorder.Values("edge_frames_dropped{stream=\"cam0\",reason=\"skipped\"}"));
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.Contains("latency", StringComparison.Ordinal));
    }

    [Fact]
    public void OnFrame_DegradeLevel_IsTheLatestReported()
    {
        recorder.Collect();
        Assert.Equal(0, recorder.Sums["edge_degrade_level{stream=\"cam0\"}"]);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, level: 2));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Skipped, level: 1));
        recorder.Collect();

        Assert.Equal(1, recorder.Sums["edge_degrade_level{stream=\"cam0\"}"]);
    }

    [Fact]
    public void LastFrameTimestamp_AbsentBeforeTheFirstFrameThenTheUnixTimeOfTheLatest()
    {
        recorder.Collect();
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.StartsWith("edge_last_frame_timestamp", StringComparison.Ordinal));
        Assert.Null(metrics.SinceLastFrame);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published));
        time.Advance(TimeSpan.FromMilliseconds(1500));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale));
        time.Advance(TimeSpan.FromSeconds(2));
        recorder.Collect();

        Assert.Equal((Start.ToUnixTimeMilliseconds() + 1500) / 1000.0, recorder.Sums["edge_last_frame_timestamp{stream=\"cam0\"}"]);
        Assert.Equal(TimeSpan.FromSeconds(2), metrics.SinceLastFrame);
    }

    [Fact]
    public void Providers_AreReadWhenAListenerCollects()
    {
        long captured = 5;
        metrics.CapturedFrames = _ => captured;
        metrics.OverwrittenFrames = _ => 2;
        recorder.Collect();
        Assert.Equal(5, recorder.Sums["edge_frames_captured{stream=\"cam0\"}"]);

        captured = 9;
        recorder.Collect();

        Assert.Equal(9, recorder.Sums["edge_frames_captured{stream=\"cam0\"}"]);
        Assert.Equal(2, recorder.Sums["edge_frames_overwritten{stream=\"cam0\"}"]);
    }

    [Fact]
    public void RunLoopMetrics_AbsentUntilSet()
    {
        recorder.Collect();

        Assert.DoesNotContain(recorder.Sums.Keys, key => key.StartsWith("edge_frames_captured", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.StartsWith("edge_frames_overwritten", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.StartsWith("edge_model_info", StringComparison.Ordinal));
    }

    [Fact]
    public void Model_IsAnInfoGaugeOfOneWithItsIdentityAsTags()
    {
        metrics.Model = new ModelInfo("models\\fashion \"v2\"", "ab12", "int8", "CPUExecutionProvider");
        recorder.Collect();

        Assert.Equal(1, recorder.Sums["edge_model_info{model=\"models\\fashion \"v2\"\",sha256=\"ab12\",precision=\"int8\",ep=\"CPUExecutionProvider\"}"]);
    }

    [Fact]
    public void Collect_ProviderThrows_CountedAndTheOtherInstrumentsStillObserved()
    {
        metrics.CapturedFrames = _ => 4;
        metrics.OverwrittenFrames = _ => throw new InvalidOperationException("slot gone");
        Assert.Equal(0, metrics.CollectFailures);
        Assert.Null(metrics.LastCollectFailure);

        recorder.Collect();

        Assert.Equal(1, metrics.CollectFailures);
        Assert.Equal("slot gone", metrics.LastCollectFailure?.Message);
        Assert.Equal(4, recorder.Sums["edge_frames_captured{stream=\"cam0\"}"]);
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.StartsWith("edge_frames_overwritten", StringComparison.Ordinal));
    }
}
