using Edge.Outputs.Metrics;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Metrics;

public sealed class RuntimeMetricsStreamTests
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 4, 7, 0, 0, TimeSpan.Zero));

    private static StreamOptions[] TwoStreams(bool backRequired = true) =>
        [new StreamOptions { Id = "front", Source = "synthetic" }, new StreamOptions { Id = "back", Source = "synthetic", Required = backRequired }];

    [Fact]
    public void OnFrame_TwoStreamsTwoHeads_EachPairCountedUnderItsStreamAndModel()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.DroppedStale, stream: "back", model: "scene"));
        recorder.Collect();
        var sums = recorder.Sums;

        Assert.Equal(2, sums["edge_frames_published{stream=\"front\",model=\"tagger\"}"]);
        Assert.False(sums.ContainsKey("edge_frames_published{stream=\"front\",model=\"scene\"}"));
        Assert.False(sums.ContainsKey("edge_frames_published{stream=\"back\",model=\"tagger\"}"));
        Assert.Equal(1, sums["edge_frames_dropped{stream=\"back\",model=\"scene\",reason=\"stale\"}"]);
        Assert.Equal(2, recorder.Values("edge_stage_latency{stream=\"front\",model=\"tagger\",stage=\"inference\"}").Count);
        Assert.Equal(0, sums["edge_unknown_stream_reports"]);
    }

    [Fact]
    public void CameraCounters_TwoStreams_OneMeasurementEachUnderItsStream()
    {
        long[] captured = [40, 7];
        using var metrics = new RuntimeMetrics(time, TwoStreams()) { CapturedFrames = stream => captured[stream], OverwrittenFrames = stream => stream * 3 };
        using var recorder = new MeterRecorder(metrics.Meter);

        recorder.Collect();
        var sums = recorder.Sums;

        Assert.Equal(40, sums["edge_frames_captured{stream=\"front\"}"]);
        Assert.Equal(7, sums["edge_frames_captured{stream=\"back\"}"]);
        Assert.Equal(0, sums["edge_frames_overwritten{stream=\"front\"}"]);
        Assert.Equal(3, sums["edge_frames_overwritten{stream=\"back\"}"]);
    }

    [Fact]
    public void OnFrame_UnknownStreamOrHead_CountedOnceWithoutNewSeries()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger"]);
        using var recorder = new MeterRecorder(metrics.Meter);
        metrics.AnnounceSeries();
        recorder.Collect();
        var before = recorder.Sums.Keys.ToArray();

        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "side", model: "tagger"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front", model: "other"));
        recorder.Collect();

        Assert.Equal(2, recorder.Sums["edge_unknown_stream_reports"]);
        Assert.Equal(2, metrics.UnknownReports);
        Assert.Equal(0, recorder.Sums["edge_frames_processed{stream=\"front\",model=\"tagger\"}"]);
        Assert.Equal(before, recorder.Sums.Keys);
    }

    [Fact]
    public void OnEvent_CameraLostThenRecovered_ConnectedGaugeFollowsPerStream()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams());
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));
        recorder.Collect();
        Assert.Equal(0, recorder.Sums["edge_camera_connected{stream=\"back\"}"]);
        Assert.Equal(1, recorder.Sums["edge_camera_connected{stream=\"front\"}"]);

        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraRecovered, "back"));
        recorder.Collect();
        Assert.Equal(1, recorder.Sums["edge_camera_connected{stream=\"back\"}"]);
    }

    [Fact]
    public void Unhealthy_RequiredStreamCameraLost_NamesThatStream()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams());
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));
        Assert.Null(metrics.Streams.Unhealthy(StaleAfter));

        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));

        Assert.Equal("stream back: camera lost", metrics.Streams.Unhealthy(StaleAfter));
    }

    [Fact]
    public void Unhealthy_RequiredStreamStale_NamesItAndHowLongAgo()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams());
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));
        time.Advance(TimeSpan.FromSeconds(11));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front"));

        Assert.Equal("stream back: last frame processed 11.0 s ago, expected within 10 s", metrics.Streams.Unhealthy(StaleAfter));
    }

    [Fact]
    public void Unhealthy_OptionalStreamLost_StaysHealthy()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(backRequired: false));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front"));

        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));

        Assert.Null(metrics.Streams.Unhealthy(StaleAfter));
    }

    [Fact]
    public void Unhealthy_NoStreamRequiredAndAllLost_SaysEachStream()
    {
        using var metrics = new RuntimeMetrics(time, [new StreamOptions { Id = "a", Source = "x", Required = false }, new StreamOptions { Id = "b", Source = "x", Required = false }]);
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "a"));
        Assert.Null(metrics.Streams.Unhealthy(StaleAfter));

        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "a"));

        Assert.Equal("stream a: camera lost; stream b: no frame processed yet", metrics.Streams.Unhealthy(StaleAfter));
    }

    [Fact]
    public void OnStreamAdded_StreamJoiningTheRun_GetsItsSeriesPerHeadAndIsCounted()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]);
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnStreamAdded(new StreamOptions { Id = "side", Source = "synthetic" });
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "side", model: "scene"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Paused, stream: "side", model: "tagger"));
        recorder.Collect();

        Assert.Equal(1, recorder.Sums["edge_frames_published{stream=\"side\",model=\"scene\"}"]);
        Assert.Equal(1, recorder.Sums["edge_frames_dropped{stream=\"side\",model=\"tagger\",reason=\"paused\"}"]);
        Assert.Equal([1.0], recorder.Values("edge_camera_connected{stream=\"side\"}"));
        Assert.Equal(0, recorder.Sums["edge_unknown_stream_reports"]);
    }

    [Fact]
    public void OnStreamRemoved_StreamLeavingTheRun_GoneFromTheGaugesAndTheHealthCheck()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams()) { CapturedFrames = stream => 10 + stream };
        using var recorder = new MeterRecorder(metrics.Meter);
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "front"));
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));
        metrics.OnEvent(CameraEvent(PipelineEventKind.CameraLost, "back"));
        Assert.Equal("stream back: camera lost", metrics.Streams.Unhealthy(StaleAfter));

        metrics.OnStreamRemoved("back");
        recorder.Collect();

        Assert.Empty(recorder.Values("edge_camera_connected{stream=\"back\"}"));
        Assert.Empty(recorder.Values("edge_frames_captured{stream=\"back\"}"));
        Assert.Equal([10.0], recorder.Values("edge_frames_captured{stream=\"front\"}"));
        Assert.Null(metrics.Streams.Unhealthy(StaleAfter));
    }

    [Fact]
    public void OnStreamAdded_StreamThatLeftJoinsAgain_ItsCountersGoOn()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams());
        using var recorder = new MeterRecorder(metrics.Meter);
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));
        metrics.OnStreamRemoved("back");

        metrics.OnStreamAdded(new StreamOptions { Id = "back", Source = "synthetic" });
        metrics.OnFrame(FrameReports.Of(FrameOutcome.Published, stream: "back"));

        Assert.Equal(2, recorder.Sums["edge_frames_published{stream=\"back\"}"]);
    }

    [Fact]
    public void OnEvent_ModelSwappedOnTheConfiguredModelsHead_ModelInfoNamesTheNewModel()
    {
        using var metrics = new RuntimeMetrics(time, TwoStreams(), ["tagger", "scene"]) { Model = new ModelInfo("tagger-v1", "aa", "fp32", "cpu") };
        using var recorder = new MeterRecorder(metrics.Meter);

        metrics.OnEvent(new PipelineEvent { Kind = PipelineEventKind.ModelSwapped, Stream = "front", Frame = 3, At = time.GetUtcNow(), Head = "scene", Model = "scene-v2", Sha256 = "cc", Precision = "fp16" });
        recorder.Collect();
        metrics.OnEvent(new PipelineEvent { Kind = PipelineEventKind.ModelSwapped, Stream = "front", Frame = 3, At = time.GetUtcNow(), Head = "tagger", Model = "tagger-v2", Sha256 = "bb", Precision = "int8" });
        recorder.Collect();

        Assert.Equal([1.0], recorder.Values("edge_model_info{model=\"tagger-v1\",sha256=\"aa\",precision=\"fp32\",ep=\"cpu\"}"));
        Assert.Equal([1.0], recorder.Values("edge_model_info{model=\"tagger-v2\",sha256=\"bb\",precision=\"int8\",ep=\"cpu\"}"));
        Assert.DoesNotContain(recorder.Sums.Keys, key => key.Contains("scene-v2", StringComparison.Ordinal));
    }

    private PipelineEvent CameraEvent(PipelineEventKind kind, string stream) =>
        new() { Kind = kind, Stream = stream, Frame = 0, At = time.GetUtcNow(), Source = "synthetic" };
}
