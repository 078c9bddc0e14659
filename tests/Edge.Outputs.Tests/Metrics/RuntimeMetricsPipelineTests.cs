using Edge.Camera.Frames;
using Edge.Outputs.Metrics;
using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Outputs.Tests.Metrics;

/// <summary>RuntimeMetrics as the observer of a real pipeline agrees with the pipeline's own statistics.</summary>
public sealed class RuntimeMetricsPipelineTests : IDisposable
{
    private readonly PipelineHarness harness = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
    private readonly CollectingSink sink = new();

    public void Dispose() => harness.Dispose();

    [Theory]
    [InlineData(MissPolicy.Flag)]
    [InlineData(MissPolicy.Drop)]
    public void Metrics_MatchPipelineStats(MissPolicy policy)
    {
        var slow = new FakeSlowStage(time);
        var metrics = new RuntimeMetrics(time);
        using var pipeline = new FramePipeline(
            InferenceHead.For("tiny", harness.Bundle, harness.Session, new Edge.Runtime.Decoding.MultiLabelDecoder(harness.Bundle.Labels, harness.Bundle.OutputKind, new Edge.Runtime.Decoding.DecoderOptions()), PipelineHarness.Origin),
            [sink, metrics], new FrameBudget(100, time), time, policy)
        {
            StageDelay = slow,
        };

        for (var i = 1; i <= 24; i++)
        {
            slow.Delays.Clear();
            switch (i % 4)
            {
                case 1:
                    slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(150); // cancelled
                    break;
                case 2:
                    slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150); // late or withheld
                    break;
                case 3:
                    slow.Delays[PipelineStage.Publish] = TimeSpan.FromMilliseconds(12); // 7, 15, 23 published (3, 11, 19 stale)
                    break;
            }

            pipeline.Process(NextFrame(i, handOffWait: TimeSpan.FromMilliseconds(i % 8 == 3 ? 120 : 1))); // every 8th: stale
        }

        var text = Exposition.Render(metrics);
        var stats = pipeline.Stats;
        Assert.Equal("24", Exposition.Value(text, "edge_frames_processed_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Published}", Exposition.Value(text, "edge_frames_published_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.DroppedStale}", Exposition.Value(text, "edge_frames_dropped_total{stream=\"cam0\",reason=\"stale\"}"));
        Assert.Equal($"{stats.Late}", Exposition.Value(text, "edge_frames_late_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Withheld}", Exposition.Value(text, "edge_frames_withheld_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Cancelled}", Exposition.Value(text, "edge_frames_cancelled_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Missed}", Exposition.Value(text, "edge_deadline_missed_total{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Inference.Count}", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"inference\"}"));
        Assert.Equal($"{stats.EndToEnd.Count}", Exposition.Value(text, "edge_end_to_end_latency_seconds_count{stream=\"cam0\"}"));
        Assert.Equal($"{stats.Publish.Count}", Exposition.Value(text, "edge_stage_latency_seconds_count{stream=\"cam0\",stage=\"publish\"}"));
        Assert.Equal($"{stats.Publish.Count - 3}", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.011\"}"));
        Assert.Equal($"{stats.Publish.Count}", Exposition.Value(text, "edge_stage_latency_seconds_bucket{stream=\"cam0\",stage=\"publish\",le=\"0.013\"}"));
        Assert.Equal(6, stats.Cancelled);
        Assert.Equal(3, stats.DroppedStale);
        Assert.Equal(6, policy == MissPolicy.Flag ? stats.Late : stats.Withheld);
        Assert.Equal(sink.Messages.Count, stats.Published);
    }

    private Frame NextFrame(int sequence, TimeSpan handOffWait)
    {
        time.Advance(TimeSpan.FromMilliseconds(33));
        var frame = PipelineHarness.RandomFrame(32, 32, seed: sequence);
        frame.Sequence = sequence;
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(handOffWait);
        return frame;
    }
}
