using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>
/// The scheduler on a fake clock: the tiny model (batch 1) with an inference stage that takes a scripted time, and
/// slots the test fills itself, so every decision can be checked frame by frame.
/// </summary>
public sealed class BatchSchedulerTests : SlowStagePipelineTest
{
    private readonly FrameSignal signal = new();
    private readonly ReportLog reports = new();

    [Fact]
    public void RunOnce_FramesOfSeveralStreams_RunEarliestDeadlineFirst()
    {
        // Stream b's frame is the oldest, then c's, then a's; the budget is the same, so deadlines follow capture times.
        var (scheduler, slots) = Build(["a", "b", "c"], budgetMs: 100);
        Offer(slots[1], capturedAgoMs: 30);
        Offer(slots[2], capturedAgoMs: 20);
        Offer(slots[0], capturedAgoMs: 10);

        Drain(scheduler);

        Assert.Equal(["b", "c", "a"], reports.Streams(FrameOutcome.Published));
    }

    [Fact]
    public void RunOnce_PerStreamBudgets_TighterBudgetGoesFirst()
    {
        var (scheduler, slots) = Build(["slow", "fast"], budgetMs: 100, budgetsMs: [200, 40]);
        Offer(slots[0], capturedAgoMs: 5);
        Offer(slots[1], capturedAgoMs: 0);

        Drain(scheduler);

        Assert.Equal(["fast", "slow"], reports.Streams(FrameOutcome.Published));
    }

    [Fact]
    public void RunOnce_FrameAlreadyPastItsDeadline_DroppedStaleWithoutInference()
    {
        var (scheduler, slots) = Build(["a", "b"], budgetMs: 50);
        Offer(slots[0], capturedAgoMs: 80);
        Offer(slots[1], capturedAgoMs: 0);

        Drain(scheduler);

        Assert.Equal(["a"], reports.Streams(FrameOutcome.DroppedStale));
        Assert.Equal(["b"], reports.Streams(FrameOutcome.Published));
    }

    [Fact]
    public void RunOnce_DropPolicyAndAFrameThatCannotMeetItsDeadlineEvenAlone_GivenUpBeforeAnyWork()
    {
        // Inference takes 20 ms; stream a's frame has 10 ms left, so it is dropped unprocessed, and b's is published.
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(20);
        var (scheduler, slots) = Build(["a", "b"], budgetMs: 50, policy: MissPolicy.Drop);
        scheduler.LatencyModels[0].Record(1, 20);
        Offer(slots[0], capturedAgoMs: 40);
        Offer(slots[1], capturedAgoMs: 0);

        Drain(scheduler);

        Assert.Equal(["a"], reports.Streams(FrameOutcome.DroppedStale));
        Assert.Equal(["b"], reports.Streams(FrameOutcome.Published));
        Assert.Equal(1, scheduler.Batches(0, 1));
        Assert.Equal(1, reports.Stats("a").PredictedMisses);
    }

    [Fact]
    public void RunOnce_PredictionsSayEveryFrameMisses_OneInEightRunsAsAProbeAndCorrectsThem()
    {
        // A pessimistic estimate (60 ms) against a 50 ms budget while inference really takes 5 ms.
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(5);
        var (scheduler, slots) = Build(["a"], budgetMs: 50);
        scheduler.LatencyModels[0].Record(1, 60);

        for (var i = 0; i < BatchScheduler.ProbeEvery; i++)
        {
            Offer(slots[0], capturedAgoMs: 0);
            Drain(scheduler);
        }

        Assert.Equal(BatchScheduler.ProbeEvery - 1, reports.Count("a", FrameOutcome.DroppedStale));
        Assert.Equal(1, reports.Count("a", FrameOutcome.Published));
        Assert.True(scheduler.LatencyModels[0].Predict(1) < 45, $"predicted {scheduler.LatencyModels[0].Predict(1)} ms after the probe");
    }

    [Fact]
    public void RunOnce_DegradePolicyAndPredictedMisses_CountAsMissesAndStepDownTheLadder()
    {
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(20);
        var degrade = new DegradeOptions { Ladder = [new LadderStep { Name = "half", FrameStride = 2 }], WindowFrames = 4, MissRateToDegrade = 0.5 };
        var (scheduler, slots) = Build(["a"], budgetMs: 50, policy: MissPolicy.Degrade, degrade: degrade);
        scheduler.LatencyModels[0].Record(1, 20);
        scheduler.LatencyModels[0].Record(1, 20);

        for (var i = 0; i < 6; i++)
        {
            Offer(slots[0], capturedAgoMs: 40);
            Drain(scheduler);
        }

        Assert.Equal(1, reports.Stats("a").Degradations);
    }

    [Fact]
    public void Run_EqualLoadOnFourStreams_PublishedRatesWithinTenPercent()
    {
        // Every 10 ms each camera delivers a frame; inference takes 12 ms, so the scheduler is saturated and must share.
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(12);
        var (scheduler, slots) = Build(["a", "b", "c", "d"], budgetMs: 200);

        RunCameras(scheduler, slots, periodMs: 10, durationMs: 4000);

        var counts = new[] { "a", "b", "c", "d" }.Select(stream => reports.Count(stream, FrameOutcome.Published)).ToArray();
        Assert.All(counts, count => Assert.True(count > 50, $"published {string.Join(", ", counts)}"));
        Assert.True(counts.Min() >= 0.9 * counts.Max(), $"published per stream {string.Join(", ", counts)}: the least served is more than 10 % below the most served");
    }

    [Fact]
    public void Run_OneCameraLost_OthersKeepTheirRate()
    {
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(5);
        var (scheduler, slots) = Build(["a", "b", "c", "d"], budgetMs: 100);

        // 4 cameras at 50 fps with inference at 5 ms: below capacity, so every stream should get every frame.
        RunCameras(scheduler, slots, periodMs: 20, durationMs: 2000, lost: ("c", 500, 1500));

        foreach (var stream in new[] { "a", "b", "d" })
        {
            Assert.InRange(reports.Count(stream, FrameOutcome.Published), 95, 100);
        }

        Assert.InRange(reports.Count("c", FrameOutcome.Published), 45, 50);
    }

    [Fact]
    public void Run_EveryStreamEnds_ReturnsAfterTheLastFrame()
    {
        var (scheduler, slots) = Build(["a", "b"], budgetMs: 100);
        Offer(slots[0], capturedAgoMs: 0);
        slots[0].Complete();
        slots[1].Complete();

        scheduler.Run(frameLimit: 0, CancellationToken.None);

        Assert.Equal(["a"], reports.Streams(FrameOutcome.Published));
    }

    [Fact]
    public void Run_FrameLimit_CountsLabelSetsOfAllStreams()
    {
        var (scheduler, slots) = Build(["a", "b"], budgetMs: 100);
        Offer(slots[0], capturedAgoMs: 0);
        Offer(slots[1], capturedAgoMs: 0);

        scheduler.Run(frameLimit: 1, CancellationToken.None);

        Assert.Single(reports.Streams(FrameOutcome.Published));
    }

    [Fact]
    public void RunOnce_BatchedSession_GrowsTheBatchOnlyWhileItFitsTheEarliestDeadline()
    {
        // Batches of n take 10 + 4n ms. Four frames wait: the earliest has 23 ms left, so three fit (22 ms) and four
        // (26 ms) would not; the fourth goes in the next batch.
        using var batched = TestBundle.CreateBatched(maxBatch: 4);
        var bundle = batched.Load();
        using var session = Edge.Runtime.Inference.ModelSession.Create(bundle, Edge.Runtime.Inference.ExecutionProviderChoice.Cpu, 1, maxBatch: 4);
        var batchStage = new ScriptedBatchStage(Time, size => TimeSpan.FromMilliseconds(10 + (4 * size)));
        var slots = new[] { "a", "b", "c", "d" }.Select(_ => new FrameSlot(() => new Frame(32, 32)) { Signal = signal }).ToArray();
        var streams = new[] { "a", "b", "c", "d" }.Select((stream, i) => new ScheduledStream(slots[i], [BatchedLane(stream, bundle, session, batchStage)])).ToList();
        using var scheduler = new BatchScheduler(streams, signal, Time);
        for (var size = 1; size <= 4; size++)
        {
            scheduler.LatencyModels[0].Record(size, 10 + (4 * size));
        }

        Offer(slots[0], capturedAgoMs: 77);
        Offer(slots[1], capturedAgoMs: 70);
        Offer(slots[2], capturedAgoMs: 60);
        Offer(slots[3], capturedAgoMs: 10);

        Drain(scheduler);

        Assert.Equal(1, scheduler.Batches(0, 3));
        Assert.Equal(1, scheduler.Batches(0, 1));
        Assert.Equal(["a", "b", "c", "d"], reports.Streams(FrameOutcome.Published));
        Assert.All(Sink.Messages.Take(3), message => Assert.Contains("\"batch\":3", message, StringComparison.Ordinal));
        Assert.Contains("\"batch\":1", Sink.Messages[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SlotThatDoesNotSetTheSignal_Throws()
    {
        var lane = Lane("a", 100, MissPolicy.Flag);
        var slot = new FrameSlot(() => new Frame(32, 32));

        var error = Assert.Throws<ArgumentException>(() => new BatchScheduler([new ScheduledStream(slot, [lane])], signal, Time));
        Assert.Contains("signal", error.Message);
    }

    private (BatchScheduler Scheduler, FrameSlot[] Slots) Build(string[] streams, double budgetMs, double[]? budgetsMs = null, MissPolicy policy = MissPolicy.Flag, DegradeOptions? degrade = null)
    {
        var slots = streams.Select(_ => new FrameSlot(() => new Frame(32, 32)) { Signal = signal }).ToArray();
        var scheduled = streams.Select((stream, i) => new ScheduledStream(slots[i], [Lane(stream, budgetsMs?[i] ?? budgetMs, policy, degrade)])).ToList();
        return (new BatchScheduler(scheduled, signal, Time), slots);
    }

    private FramePipeline Lane(string stream, double budgetMs, MissPolicy policy, DegradeOptions? degrade = null)
    {
        var bundle = Harness.Bundle;
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions());
        var origin = new MessageOrigin("test-device", stream, "synthetic");
        var head = InferenceHead.For("tiny", bundle, Harness.Session, decoder, origin);
        (DegradeOptions, IReadOnlyList<InferenceHead>)? ladder = degrade is null ? null : (degrade, [.. degrade.Ladder.Select(step => InferenceHead.For(step.Name, bundle, Harness.Session, decoder, origin))]);
        var pipeline = new FramePipeline(head, [reports], new FrameBudget(budgetMs, Time), Time, policy, ladder) { StageDelay = Slow };
        reports.Track(pipeline);
        return pipeline;
    }

    private FramePipeline BatchedLane(string stream, Edge.Runtime.Bundles.ModelBundle bundle, Edge.Runtime.Inference.ModelSession session, IStageDelay delay)
    {
        var decoder = new MultiLabelDecoder(bundle.Labels, bundle.OutputKind, new DecoderOptions());
        var head = InferenceHead.For("tiny", bundle, session, decoder, new MessageOrigin("test-device", stream, "synthetic"));
        var pipeline = new FramePipeline(head, [reports, Sink], new FrameBudget(100, Time), Time) { StageDelay = delay };
        reports.Track(pipeline);
        return pipeline;
    }

    private long sequence;

    private void Offer(FrameSlot slot, double capturedAgoMs)
    {
        var frame = slot.SpareForWriter;
        new Random((int)sequence).NextBytes(frame.PixelSpan);
        frame.Sequence = ++sequence;
        frame.CapturedAt = Time.GetTimestamp() - (long)(capturedAgoMs * Time.TimestampFrequency / 1000);
        slot.Publish();
    }

    private static void Drain(BatchScheduler scheduler)
    {
        while (scheduler.RunOnce(out _))
        {
        }
    }

    /// <summary>
    /// Cameras delivering a frame every <paramref name="periodMs"/> on the fake clock while the scheduler runs; a lost
    /// camera delivers nothing between its start and end.
    /// </summary>
    private void RunCameras(BatchScheduler scheduler, FrameSlot[] slots, double periodMs, double durationMs, (string Stream, double FromMs, double ToMs)? lost = null)
    {
        var start = Time.GetTimestamp();
        double Elapsed() => (Time.GetTimestamp() - start) * 1000.0 / Time.TimestampFrequency;
        var next = 0.0;
        var lostIndex = lost is { } l ? Array.IndexOf(reports.StreamIds, l.Stream) : -1;
        while (next < durationMs)
        {
            // Deliver every camera tick that has come by now (latest frame wins in each slot).
            while (next <= Elapsed() && next < durationMs)
            {
                for (var s = 0; s < slots.Length; s++)
                {
                    if (s == lostIndex && next >= lost!.Value.FromMs && next < lost.Value.ToMs)
                    {
                        continue;
                    }

                    Offer(slots[s], capturedAgoMs: Elapsed() - next);
                }

                next += periodMs;
            }

            if (!scheduler.RunOnce(out _))
            {
                Time.Advance(TimeSpan.FromMilliseconds(Math.Max(0.25, next - Elapsed())));
            }
        }

        Drain(scheduler);
    }

    /// <summary>An inference stage whose time depends on the batch size, on the fake clock.</summary>
    private sealed class ScriptedBatchStage(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Func<int, TimeSpan> latency) : IStageDelay
    {
        public void Delay(PipelineStage stage, InferenceWatchdog watchdog)
        {
        }

        public void DelayBatch(int size, InferenceWatchdog watchdog) => time.Advance(latency(size));
    }

    /// <summary>Every report, by stream, in order.</summary>
    private sealed class ReportLog : IFrameOutput
    {
        private readonly List<(string Stream, FrameOutcome Outcome)> seen = [];
        private readonly Dictionary<string, FramePipeline> pipelines = [];

        public string[] StreamIds => [.. pipelines.Keys];

        public void Track(FramePipeline pipeline) => pipelines[pipeline.Stream] = pipeline;

        public void OnFrame(in FrameReport report) => seen.Add((report.Stream, report.Outcome));

        public string[] Streams(FrameOutcome outcome) => [.. seen.Where(entry => entry.Outcome == outcome).Select(entry => entry.Stream)];

        public int Count(string stream, FrameOutcome outcome) => seen.Count(entry => entry.Stream == stream && entry.Outcome == outcome);

        public PipelineStats Stats(string stream) => pipelines[stream].Stats;
    }
}
