using System.Diagnostics;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Events;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Budget;

/// <summary>
/// Real ONNX Runtime inference cancelled by the real timer: the slow fixture model runs for a long time, the budget
/// is a fraction of that. Runs alone so that timing is not disturbed by parallel tests.
/// </summary>
[Collection(nameof(AllocationCollection))]
public sealed class CancellationTests : IDisposable
{
    private readonly TestBundle test = TestBundle.Create(modelPath: TestBundle.SlowModelPath);
    private readonly ModelSession session;

    public CancellationTests()
    {
        session = ModelSession.Create(test.Load(), ExecutionProviderChoice.Cpu, 1);
    }

    public void Dispose()
    {
        session.Dispose();
        test.Dispose();
    }

    [Fact]
    public void InferenceRunningAtTheDeadline_IsCancelledPromptly_AndTheSessionStaysUsable()
    {
        var fullRunMs = TimeRun();
        var budgetMs = Math.Max(5, fullRunMs / 5);
        var sink = new CollectingSink();
        var events = new CollectingEventSink();
        var bundle = test.Load();
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions());
        using var pipeline = new FramePipeline(InferenceHead.For("slow", bundle, session, decoder, new MessageOrigin("test", "cam0", "synthetic")), [sink, events], new FrameBudget(budgetMs, TimeProvider.System), TimeProvider.System, MissPolicy.Drop);

        var outcomes = new List<FrameOutcome>();
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 5);
        for (var i = 0; i < 3; i++)
        {
            frame.CapturedAt = Stopwatch.GetTimestamp();
            outcomes.Add(pipeline.Process(frame));
        }

        Assert.True(outcomes.All(outcome => outcome == FrameOutcome.Cancelled), $"full run {fullRunMs:F1} ms, budget {budgetMs:F1} ms, outcomes {string.Join(", ", outcomes)}, inference {pipeline.Stats.Inference.Percentile(1):F1} ms, cancel delays {pipeline.Stats.CancelDelay.Percentile(1):F2}");
        Assert.Empty(sink.Messages);
        Assert.Equal(3, events.Events.Count(e => e.Reason == MissReason.Cancelled));
        // Each frame ends near its deadline, not after the full run (which is five budgets long).
        Assert.InRange(pipeline.Stats.CancelDelay.Percentile(1), 0, fullRunMs / 2);
        Assert.True(pipeline.Stats.Inference.Count == 0);

        // Usable afterwards: a run with no deadline gives the same scores as before any cancellation.
        var expected = RunAndCopy();
        Assert.Equal(expected, RunAndCopy());
    }

    private double TimeRun()
    {
        Array.Fill(session.Input, 100f);
        session.Run();
        var started = Stopwatch.GetTimestamp();
        session.Run();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private float[] RunAndCopy()
    {
        Array.Fill(session.Input, 50f);
        Assert.True(session.TryRun());
        return session.Output.ToArray();
    }
}
