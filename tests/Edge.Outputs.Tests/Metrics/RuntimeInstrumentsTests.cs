using Edge.Outputs.Metrics;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Metrics;

public sealed class RuntimeInstrumentsTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 4, 7, 0, 0, TimeSpan.Zero));

    private static StreamOptions[] TwoStreams() =>
        [new StreamOptions { Id = "front", Source = "synthetic" }, new StreamOptions { Id = "back", Source = "synthetic" }];

    [Fact]
    public void Meter_NamedAndVersioned_ForDotnetCounters()
    {
        using var metrics = new RuntimeMetrics(time);

        Assert.Equal("Edge.Runtime", metrics.Meter.Name);
        Assert.Equal(RuntimeMetrics.MeterName, metrics.Meter.Name);
        Assert.Matches(@"^\d+\.\d+\.\d+", metrics.Meter.Version);
    }

    [Fact]
    public void OnFrame_TwoStreamsTwoHeads_CountersMatchTheReportsPerSeries()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.PublishedLate, stream: "front", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Withheld, stream: "front", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, stream: "back", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Skipped, stream: "back", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Cancelled, stream: "back", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Paused, stream: "back", model: "tagger"));
        var sums = recorder.Sums;

        Assert.Equal(2, sums["edge_frames_processed{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(2, sums["edge_frames_published{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(1, sums["edge_frames_late{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(1, sums["edge_frames_withheld{stream=\"front\",model=\"scene\"}"]);
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"back\",model=\"scene\",reason=\"stale\"}"]);
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"back\",model=\"scene\",reason=\"skipped\"}"]);
        Assert.Equal(1, sums["edge_frames_cancelled{stream=\"back\",model=\"tagger\"}"]);
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"back\",model=\"tagger\",reason=\"paused\"}"]);
        Assert.Equal(1, sums["edge_deadline_missed{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(1, sums["edge_deadline_missed{stream=\"front\",model=\"scene\"}"]);
        Assert.Equal(1, sums["edge_deadline_missed{stream=\"back\",model=\"tagger\"}"]);
        Assert.False(sums.ContainsKey("edge_frames_published{stream=\"back\",model=\"scene\"}"));
        Assert.Equal(7, sums.Where(pair => pair.Key.StartsWith("edge_frames_processed{", StringComparison.Ordinal)).Sum(pair => pair.Value));
    }

    [Fact]
    public void OnFrame_DecodedAndPublished_LatenciesInSecondsPerStage()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Withheld, stream: "back", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, stream: "back", model: "scene"));

        Assert.Equal([0.020, 0.020], recorder.Values("edge_stage_latency{stream=\"back\",model=\"scene\",stage=\"inference\"}"));
        Assert.Equal([0.0005, 0.0005], recorder.Values("edge_stage_latency{stream=\"back\",model=\"scene\",stage=\"queue\"}"));
        Assert.Equal(0.0063, Assert.Single(recorder.Values("edge_stage_latency{stream=\"back\",model=\"scene\",stage=\"publish\"}")), 9);
        Assert.Equal([0.030], recorder.Values("edge_end_to_end_latency{stream=\"back\",model=\"scene\"}"));
    }

    [Fact]
    public void Histograms_AdviseTheFixedBuckets()
    {
        using var metrics = new RuntimeMetrics(time);
        using var recorder = new MeterRecorder(metrics.Meter);

        Assert.Equal(LatencyBuckets.Seconds, recorder.Buckets("edge_stage_latency"));
        Assert.Equal(LatencyBuckets.Seconds, recorder.Buckets("edge_end_to_end_latency"));
        Assert.Equal(72, LatencyBuckets.Seconds.Count);
    }

    [Fact]
    public void OnFrame_UnknownStreamOrHead_RecordsNoSeries()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "side", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "other"));
        Assert.Empty(recorder.Sums);
        recorder.Collect();

        Assert.Equal(2, recorder.Sums["edge_unknown_stream_reports"]);
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.Contains("side", StringComparison.Ordinal) || key.Contains("other", StringComparison.Ordinal));
    }

    [Fact]
    public void Collect_State_GaugesPerSeriesAndStream()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"])
        {
            CapturedFrames = stream => 40 + stream,
            Model = new ModelInfo("tagger", "abc", "int8", "CPUExecutionProvider"),
        };
        using var recorder = new MeterRecorder(metrics.Meter);
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "scene", level: 2));
        metrics.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = "back", Frame = 0, At = time.GetUtcNow(), Source = "synthetic" });

        recorder.Collect();
        var sums = recorder.Sums;

        Assert.Equal(2, sums["edge_degrade_level{stream=\"front\",model=\"scene\"}"]);
        Assert.Equal(0, sums["edge_degrade_level{stream=\"back\",model=\"tagger\"}"]);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, sums["edge_last_frame_timestamp{stream=\"front\",model=\"scene\"}"]);
        Assert.False(sums.ContainsKey("edge_last_frame_timestamp{stream=\"back\",model=\"scene\"}"));
        Assert.Equal(1, sums["edge_camera_connected{stream=\"front\"}"]);
        Assert.Equal(0, sums["edge_camera_connected{stream=\"back\"}"]);
        Assert.Equal(41, sums["edge_frames_captured{stream=\"back\"}"]);
        Assert.DoesNotContain(sums.Keys, key => key.StartsWith("edge_frames_overwritten", StringComparison.Ordinal));
        Assert.Equal(1, sums["edge_model_info{model=\"tagger\",sha256=\"abc\",precision=\"int8\",ep=\"CPUExecutionProvider\"}"]);
    }

    [Fact]
    public void StreamGauges_TwentyFiveFramesASecond_DeepStreamsFpsLatencyAndFrameNumber()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);
        for (var frame = 1; frame <= 26; frame++)
        {
            metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, frame: frame, stream: "front", model: "tagger"));
            time.Advance(TimeSpan.FromMilliseconds(40));
        }

        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, frame: 27, stream: "front", model: "tagger"));
        recorder.Collect();
        var sums = recorder.Sums;

        // 25 intervals between the first and the 26th published frame, one second.
        Assert.Equal(25, sums["stream_fps{stream=\"front\",model=\"tagger\"}"], 6);
        Assert.Equal(0, sums["stream_fps{stream=\"back\",model=\"scene\"}"]);
        Assert.Equal(30, sums["stream_latency{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(27, sums["stream_frame_number{stream=\"front\",model=\"tagger\"}"]);
        Assert.False(sums.ContainsKey("stream_latency{stream=\"back\",model=\"tagger\"}"));
        Assert.False(sums.ContainsKey("stream_frame_number{stream=\"back\",model=\"tagger\"}"));
        Assert.Equal(1, sums["stream_count"]);
    }

    [Fact]
    public void StreamFps_StreamStalls_FallsTowardsZero()
    {
        using var metrics = new RuntimeMetrics(time);
        using var recorder = new MeterRecorder(metrics.Meter);
        for (var frame = 1; frame <= 36; frame++)
        {
            metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, frame: frame));
            time.Advance(TimeSpan.FromMilliseconds(40));
        }

        recorder.Collect();
        Assert.Equal(25, recorder.Sums["stream_fps{stream=\"cam0\"}"], 6);

        // 10 frames into the window the 26th opened (at 1 s), then nothing until 11 s.
        time.Advance(TimeSpan.FromMilliseconds(11_000 - 1_440));
        recorder.Collect();

        Assert.Equal(1, recorder.Sums["stream_fps{stream=\"cam0\"}"], 6);
    }

    [Fact]
    public void StreamCount_StreamsWhoseCameraDeliversAndThatProcessedAFrame()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams());
        using var recorder = new MeterRecorder(metrics.Meter);
        recorder.Collect();
        Assert.Equal(0, recorder.Sums["stream_count"]);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, stream: "front"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));
        recorder.Collect();
        Assert.Equal(2, recorder.Sums["stream_count"]);

        metrics.OnEvent(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = "back", Frame = 0, At = time.GetUtcNow(), Source = "synthetic" });
        recorder.Collect();
        Assert.Equal(1, recorder.Sums["stream_count"]);
    }
}
