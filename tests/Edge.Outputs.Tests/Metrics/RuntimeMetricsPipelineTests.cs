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
        using var metrics = new RuntimeMetrics(time);
        using var recorder = new MeterRecorder(metrics.Meter);
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

        var stats = pipeline.Stats;
        var sums = recorder.Sums;
        Assert.Equal(24, sums["edge_frames_processed{stream=\"cam0\"}"]);
        Assert.Equal(stats.Published, sums["edge_frames_published{stream=\"cam0\"}"]);
        Assert.Equal(stats.DroppedStale, sums["edge_frames_dropped{stream=\"cam0\",reason=\"stale\"}"]);
        Assert.Equal(stats.Late, sums.GetValueOrDefault("edge_frames_late{stream=\"cam0\"}"));
        Assert.Equal(stats.Withheld, sums.GetValueOrDefault("edge_frames_withheld{stream=\"cam0\"}"));
        Assert.Equal(stats.Cancelled, sums["edge_frames_cancelled{stream=\"cam0\"}"]);
        Assert.Equal(stats.Missed, sums["edge_deadline_missed{stream=\"cam0\"}"]);
        Assert.Equal(stats.Inference.Count, recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"inference\"}").Count);
        Assert.Equal(stats.EndToEnd.Count, recorder.Values("edge_end_to_end_latency{stream=\"cam0\"}").Count);
        var publish = recorder.Values("edge_stage_latency{stream=\"cam0\",stage=\"publish\"}");
        Assert.Equal(stats.Publish.Count, publish.Count);
        Assert.Equal(stats.Publish.Count - 3, publish.Count(seconds => seconds <= 0.011));
        Assert.All(publish, seconds => Assert.InRange(seconds, 0, 0.013));
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
