using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Runtime.Tests;

public sealed class FramePipelineTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public void Process_FrameOlderThanBudget_IsDroppedWithoutPublishing()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 1);
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(101));

        var outcome = pipeline.Process(frame);

        Assert.Equal(FrameOutcome.DroppedStale, outcome);
        Assert.Equal(1, pipeline.Stats.DroppedStale);
        Assert.Equal(0, pipeline.Stats.Published);
        Assert.Empty(sink.Messages);
        Assert.Equal(0, pipeline.Stats.EndToEnd.Count);
    }

    [Fact]
    public void Process_FrameExactlyAtBudget_IsStillPublished()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 1);
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(100));

        var outcome = pipeline.Process(frame);

        Assert.Equal(FrameOutcome.Published, outcome);
        Assert.Single(sink.Messages);
        Assert.Equal(0, pipeline.Stats.DroppedStale);
    }

    [Fact]
    public void Process_FreshFrame_PublishesLabelSetWithDeadlineMet()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        time.Advance(TimeSpan.FromSeconds(2));
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 2);
        frame.Sequence = 17;
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(30));

        var outcome = pipeline.Process(frame);

        Assert.Equal(FrameOutcome.Published, outcome);
        Assert.Equal(1, pipeline.Stats.Published);
        Assert.Equal(0, pipeline.Stats.Missed);
        var message = Assert.Single(sink.Messages);
        Assert.EndsWith("\n", message, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(message);
        var root = json.RootElement;
        Assert.True(root.GetProperty("deadline_met").GetBoolean());
        Assert.Equal(17, root.GetProperty("frame").GetInt64());
        Assert.Equal(100, root.GetProperty("budget_ms").GetDouble());
        Assert.Equal("cpu", root.GetProperty("ep").GetString());
        Assert.Equal(Start.AddSeconds(2), root.GetProperty("captured_at").GetDateTimeOffset());
        Assert.Equal(30, root.GetProperty("latency_ms").GetProperty("queue").GetDouble());
        Assert.Equal(30, root.GetProperty("latency_ms").GetProperty("total").GetDouble());
        Assert.Equal(harness.Bundle.Sha256, root.GetProperty("model").GetProperty("sha256").GetString());
        Assert.False(root.TryGetProperty("truth", out _));
    }

    [Fact]
    public void Process_PublishedScores_AreSigmoidOfModelOutput()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var frame = PipelineHarness.RandomFrame(48, 40, seed: 3);
        frame.CapturedAt = time.GetTimestamp();

        pipeline.Process(frame);

        using var json = JsonDocument.Parse(Assert.Single(sink.Messages));
        var scores = json.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetDouble()).ToArray();
        var expected = harness.Session.Output.Select(logit => 1 / (1 + Math.Exp(-logit))).ToArray();
        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(expected[i], scores[i], tolerance: 6e-5);
        }
    }

    [Fact]
    public void Process_SlowStages_PublishedWithDeadlineMissedAndStageLatencies()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 4);
        frame.CapturedAt = time.GetTimestamp();
        var step = TimeSpan.FromMilliseconds(30);
        time.Advance(step);
        time.AutoAdvanceAmount = step; // every clock read now takes 30 ms: taken 30, preprocessed 60, watchdog armed 90, inferred 120, decoded 150, miss stamped 180, report 210, published (the outputs done) 240

        var outcome = pipeline.Process(frame);

        Assert.Equal(FrameOutcome.PublishedLate, outcome);
        Assert.Equal(1, pipeline.Stats.Missed);
        Assert.Equal(1, pipeline.Stats.Late);
        using var json = JsonDocument.Parse(Assert.Single(sink.Messages));
        var root = json.RootElement;
        Assert.False(root.GetProperty("deadline_met").GetBoolean());
        var latency = root.GetProperty("latency_ms");
        Assert.Equal(30, latency.GetProperty("queue").GetDouble());
        Assert.Equal(30, latency.GetProperty("preprocess").GetDouble());
        Assert.Equal(60, latency.GetProperty("inference").GetDouble());
        Assert.Equal(30, latency.GetProperty("decode").GetDouble());
        Assert.Equal(150, latency.GetProperty("total").GetDouble());
        Assert.Equal(240, pipeline.Stats.EndToEnd.Percentile(1));
    }

    [Fact]
    public void Process_TruthFrame_PublishesTruthAndRecordsF1()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 5);
        frame.SetTruth([2, 5]);
        frame.CapturedAt = time.GetTimestamp();

        pipeline.Process(frame);

        using var json = JsonDocument.Parse(Assert.Single(sink.Messages));
        Assert.Equal(["pullover", "sandal"], json.RootElement.GetProperty("truth").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, pipeline.Stats.TruthFrames);
        var active = json.RootElement.GetProperty("active").EnumerateArray().Select(e => Array.IndexOf(TestBundle.LabelNames, e.GetString())).ToHashSet();
        var hits = active.Count(label => label is 2 or 5);
        Assert.Equal(2.0 * hits / (2 + active.Count), pipeline.Stats.MeanTruthF1, 9);
    }

    [Fact]
    public void Run_CompletedSlot_ProcessesLastFrameThenReturns()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new CollectingSink();
        var pipeline = harness.CreatePipeline(time, sink, budgetMs: 100);
        var slot = new FrameSlot(() => new Frame(32, 32));
        var filled = slot.SpareForWriter;
        filled.Sequence = 9;
        filled.CapturedAt = time.GetTimestamp();
        slot.Publish();
        slot.Complete();

        pipeline.Run(slot, frameLimit: 0, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(sink.Messages));
        Assert.Equal(9, json.RootElement.GetProperty("frame").GetInt64());
    }

    public static TheoryData<int[], int[], double> F1Cases() => new()
    {
        { [], [], 1.0 },
        { [1, 2], [1, 2], 1.0 },
        { [1, 2], [1], 2.0 / 3 },
        { [1], [1, 2], 2.0 / 3 },
        { [1, 2], [3, 4], 0.0 },
        { [], [3], 0.0 },
        { [3], [], 0.0 },
        { [0, 1, 2, 3], [2, 3, 4, 5, 6, 7], 0.4 },
    };

    [Theory]
    [MemberData(nameof(F1Cases))]
    public void ExampleF1_TruthAndPrediction_GivesExampleBasedF1(int[] truth, int[] predicted, double expected)
    {
        var labels = Enumerable.Range(0, 10).Select(i => new LabelThreshold($"l{i}", 0.5f, 0.5f)).ToArray();
        var decoder = new MultiLabelDecoder(labels, OutputKind.Probabilities, new DecoderOptions());
        var scores = new float[10];
        foreach (var label in predicted)
        {
            scores[label] = 0.9f;
        }

        decoder.Decode(scores);

        Assert.Equal(expected, FramePipeline.ExampleF1(truth, decoder), 12);
    }
}
