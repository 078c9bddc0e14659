using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Budget;

/// <summary>Miss policies, cancellation and stage budgets on a fake clock, with the injectable slow stage.</summary>
public sealed class MissPolicyTests : SlowStagePipelineTest
{
    [Fact]
    public void Drop_LateFrame_IsNeverPublished()
    {
        using var pipeline = Create(MissPolicy.Drop);
        Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);

        var outcome = pipeline.Process(NextFrame(1));

        Assert.Equal(FrameOutcome.Withheld, outcome);
        Assert.Empty(Sink.Messages);
        Assert.Equal(1, pipeline.Stats.Withheld);
        Assert.Equal(1, pipeline.Stats.Missed);
        Assert.Equal(0, pipeline.Stats.Published);
        var missed = Assert.Single(MissEvents);
        Assert.Equal(PipelineEventKind.DeadlineMissed, missed.Kind);
        Assert.Equal(MissReason.Late, missed.Reason);
        Assert.False(missed.Published);
        Assert.Equal(new DeadlineMissedStatus(1, 1), missed.Status);
    }

    [Fact]
    public void Drop_OnlyOnTimeLabelSetsArePublished_OverManyFrames()
    {
        using var pipeline = Create(MissPolicy.Drop);
        for (var i = 1; i <= 40; i++)
        {
            Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(i % 3 == 0 ? 120 : 20);
            pipeline.Process(NextFrame(i));
        }

        Assert.All(Sink.Messages, message => Assert.True(Parse(message).GetProperty("deadline_met").GetBoolean()));
        Assert.Equal(27, Sink.Messages.Count);
        Assert.Equal(13, pipeline.Stats.Missed);
        Assert.Equal(13, pipeline.Stats.Cancelled);
    }

    [Fact]
    public void Drop_WithheldFrame_KeepsItsTransitionsForTheNextPublishedOne()
    {
        using var pipeline = Create(MissPolicy.Drop);
        pipeline.Process(NextFrame(1));
        Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);
        pipeline.Process(NextFrame(2));
        Slow.Delays.Clear();
        pipeline.Process(NextFrame(3));

        // The same image thrice: whatever turned on in frame 1 is active since; frame 3 reports no change.
        Assert.Equal(2, Sink.Messages.Count);
        Assert.Empty(Labels(Parse(Sink.Messages[1]), "turned_on"));
        Assert.Equal(Labels(Parse(Sink.Messages[0]), "turned_on"), Labels(Parse(Sink.Messages[1]), "active"));
    }

    [Fact]
    public void Flag_LateFrame_IsPublishedMarkedLate()
    {
        using var pipeline = Create(MissPolicy.Flag);
        Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);

        var outcome = pipeline.Process(NextFrame(1));

        Assert.Equal(FrameOutcome.PublishedLate, outcome);
        var message = Parse(Assert.Single(Sink.Messages));
        Assert.False(message.GetProperty("deadline_met").GetBoolean());
        Assert.Equal(1, pipeline.Stats.Late);
        var missed = Assert.Single(MissEvents);
        Assert.True(missed.Published);
        Assert.Equal(MissReason.Late, missed.Reason);
    }

    [Fact]
    public void Flag_EveryLateFrameIsMarked_EveryOnTimeOneIsNot()
    {
        using var pipeline = Create(MissPolicy.Flag);
        for (var i = 1; i <= 30; i++)
        {
            Slow.Delays[PipelineStage.Preprocess] = TimeSpan.FromMilliseconds(i % 4 == 0 ? 95 : 10);
            Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(10);
            pipeline.Process(NextFrame(i));
        }

        Assert.Equal(30, Sink.Messages.Count);
        for (var i = 0; i < 30; i++)
        {
            var message = Parse(Sink.Messages[i]);
            var late = (i + 1) % 4 == 0;
            Assert.Equal(!late, message.GetProperty("deadline_met").GetBoolean());
            Assert.Equal(late, message.GetProperty("latency_ms").GetProperty("total").GetDouble() > 100);
        }

        Assert.Equal(7, pipeline.Stats.Late);
        Assert.Equal(7, MissEvents.Count);
        Assert.Equal(Enumerable.Range(1, 7).Select(n => (long)n), MissEvents.Select(e => e.Status.TotalCount));
        Assert.All(MissEvents, e => Assert.Equal(1, e.Status.TotalCountChange));
    }

    [Theory]
    [InlineData(MissPolicy.Drop)]
    [InlineData(MissPolicy.Flag)]
    public void InferencePastDeadline_IsCancelled_AndTheSessionRunsTheNextFrame(MissPolicy policy)
    {
        using var pipeline = Create(policy);
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(500);

        var outcome = pipeline.Process(NextFrame(1));

        Assert.Equal(FrameOutcome.Cancelled, outcome);
        Assert.Empty(Sink.Messages);
        Assert.Equal(1, pipeline.Stats.Cancelled);
        var missed = Assert.Single(MissEvents);
        Assert.Equal(MissReason.Cancelled, missed.Reason);
        Assert.Equal(PipelineStage.Inference, missed.Stage);
        Assert.False(missed.Published);
        // On the fake clock the timer fires as the clock passes the deadline; the slow stage ends within its step.
        Assert.InRange(pipeline.Stats.CancelDelay.Percentile(1), 0, 0.5);

        Slow.Delays.Clear();
        Assert.Equal(FrameOutcome.Published, pipeline.Process(NextFrame(2)));
        var message = Parse(Assert.Single(Sink.Messages));
        Assert.True(message.GetProperty("deadline_met").GetBoolean());
        Assert.All(Harness.Session.Output, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void InferenceBudget_CancelsBeforeTheEndToEndDeadline()
    {
        using var pipeline = Create(MissPolicy.Flag, new StageBudgets { Inference = 20 });
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(30);

        Assert.Equal(FrameOutcome.Cancelled, pipeline.Process(NextFrame(1)));

        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(15);
        Assert.Equal(FrameOutcome.Published, pipeline.Process(NextFrame(2)));
    }

    [Fact]
    public void StageOverrun_MissesTheDeadlineEvenWhenTheTotalFits()
    {
        using var pipeline = Create(MissPolicy.Flag, new StageBudgets { Preprocess = 5 });
        Slow.Delays[PipelineStage.Preprocess] = TimeSpan.FromMilliseconds(8);

        Assert.Equal(FrameOutcome.PublishedLate, pipeline.Process(NextFrame(1)));

        Assert.Equal(1, pipeline.Stats.StageOverruns(PipelineStage.Preprocess));
        var missed = Assert.Single(MissEvents);
        Assert.Equal(MissReason.StageOverrun, missed.Reason);
        Assert.Equal(PipelineStage.Preprocess, missed.Stage);
        Assert.True(missed.LatencyMs < 100);
    }

    [Fact]
    public void QueueBudget_DropsFramesThatWaitedTooLong()
    {
        using var pipeline = Create(MissPolicy.Flag, new StageBudgets { Queue = 10 });
        var frame = NextFrame(1, advance: TimeSpan.FromMilliseconds(11));

        Assert.Equal(FrameOutcome.DroppedStale, pipeline.Process(frame));
        Assert.Equal(1, pipeline.Stats.DroppedStale);
        Assert.Equal(FrameOutcome.Published, pipeline.Process(NextFrame(2, advance: TimeSpan.FromMilliseconds(9))));
    }

    [Fact]
    public void Degrade_StepsDownUnderLoad_SkipsFrames_AndRecoversWithoutFlapping()
    {
        var degrade = new DegradeOptions
        {
            WindowFrames = 5,
            MissRateToDegrade = 0.3,
            HeadroomFraction = 0.5,
            RecoverFrames = 10,
            Ladder = [new() { Name = "half-rate", FrameStride = 2 }, new() { Name = "third-rate", FrameStride = 3 }],
        };
        using var pipeline = Harness.CreatePipeline(Time, Sink, budgetMs: 100, MissPolicy.Degrade, degrade: degrade, delay: Slow, events: Events);
        var levels = new List<int>();
        var outcomes = new List<FrameOutcome>();

        for (var i = 1; i <= 120; i++)
        {
            // Overload for the first 40 frames, then light load.
            Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(i <= 40 ? 130 : 10);
            outcomes.Add(pipeline.Process(NextFrame(i)));
            levels.Add(pipeline.Level);
        }

        var changes = Events.Events.Where(e => e.Kind is PipelineEventKind.Degraded or PipelineEventKind.Recovered).ToList();
        Assert.Equal(
            [(PipelineEventKind.Degraded, 1), (PipelineEventKind.Degraded, 2), (PipelineEventKind.Recovered, 1), (PipelineEventKind.Recovered, 0)],
            changes.Select(e => (e.Kind, e.Level)));
        Assert.Equal(["half-rate", "third-rate", "half-rate", "tiny"], changes.Select(e => e.Profile));
        Assert.True(changes[0].MissRate > 0.3);
        Assert.Equal(0, pipeline.Level);
        Assert.Contains(FrameOutcome.Skipped, outcomes);
        Assert.Equal(outcomes.Count(o => o == FrameOutcome.Skipped), pipeline.Stats.Skipped);
        // Late label sets are still published (marked) under degrade.
        Assert.Equal(pipeline.Stats.Late, Sink.Messages.Count(m => !Parse(m).GetProperty("deadline_met").GetBoolean()));
        Assert.Equal(2, pipeline.Stats.Degradations);
        Assert.Equal(2, pipeline.Stats.Recoveries);
    }

    [Fact]
    public void Observer_HearsEveryFrame_WithOutcomeLatencyAndLabels()
    {
        var observer = new RecordingObserver();
        using var pipeline = new FramePipeline(
            InferenceHead.For("tiny", Harness.Bundle, Harness.Session, new Edge.Runtime.Decoding.MultiLabelDecoder(Harness.Bundle.Labels, Harness.Bundle.OutputKind, new Edge.Runtime.Decoding.DecoderOptions()), new MessageOrigin("d", "cam0", "synthetic")),
            [Sink, observer], new FrameBudget(100, Time), Time, MissPolicy.Drop)
        {
            StageDelay = Slow,
        };

        pipeline.Process(NextFrame(1));
        Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);
        pipeline.Process(NextFrame(2));
        Slow.Delays.Clear();
        pipeline.Process(NextFrame(3, advance: TimeSpan.FromMilliseconds(120)));

        Assert.Equal([(1L, FrameOutcome.Published, true), (2L, FrameOutcome.Withheld, true), (3L, FrameOutcome.DroppedStale, false)], observer.Reports);
        Assert.True(observer.FirstEndToEndMs >= 0);
    }

    private sealed class RecordingObserver : IFrameOutput
    {
        public List<(long, FrameOutcome, bool)> Reports { get; } = [];

        public double FirstEndToEndMs { get; private set; } = double.NaN;

        public void OnFrame(in FrameReport report)
        {
            if (Reports.Count == 0)
            {
                FirstEndToEndMs = report.EndToEndMs;
            }

            Reports.Add((report.Frame, report.Outcome, report.Labels is not null));
        }
    }

    [Fact]
    public void LabelTransitions_OfPublishedFrames_AreEvents_WithTheLabelName()
    {
        using var pipeline = Create(MissPolicy.Flag);

        pipeline.Process(NextFrame(1));

        var message = Parse(Assert.Single(Sink.Messages));
        var turnedOn = Labels(message, "turned_on");
        var labelEvents = Events.Events.Where(e => e.Kind == PipelineEventKind.LabelOn).ToList();
        Assert.Equal(turnedOn.Order(), labelEvents.Select(e => e.Label!).Order());
        Assert.All(labelEvents, e => Assert.Equal(1, e.Frame));

        var writer = new EventJsonWriter("rover-7");
        if (labelEvents.Count > 0)
        {
            writer.Write(labelEvents[0]);
            var json = Parse(System.Text.Encoding.UTF8.GetString(writer.Message.Span));
            Assert.Equal("label_on", json.GetProperty("event").GetString());
            Assert.Equal(labelEvents[0].Label, json.GetProperty("label").GetString());
        }

        writer.Write(new PipelineEvent { Kind = PipelineEventKind.CameraLost, Stream = "cam0", Frame = 7, At = Start, Source = "v4l2:0" });
        var camera = Parse(System.Text.Encoding.UTF8.GetString(writer.Message.Span));
        Assert.Equal("camera_lost", camera.GetProperty("event").GetString());
        Assert.Equal("v4l2:0", camera.GetProperty("source").GetString());
    }

    [Fact]
    public void EventJson_DeadlineMissed_HasTheDocumentedFields()
    {
        using var pipeline = Create(MissPolicy.Flag);
        Slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(500);
        pipeline.Process(NextFrame(9));
        var writer = new EventJsonWriter("rover-7");

        writer.Write(Assert.Single(MissEvents));

        var text = System.Text.Encoding.UTF8.GetString(writer.Message.Span);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var json = Parse(text);
        Assert.Equal(
            ["schema", "device", "stream", "event", "frame", "at", "reason", "stage", "latency_ms", "budget_ms", "published", "total_count", "total_count_change"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("edge.event/1", json.GetProperty("schema").GetString());
        Assert.Equal("cam0", json.GetProperty("stream").GetString());
        Assert.Equal("deadline_missed", json.GetProperty("event").GetString());
        Assert.Equal(9, json.GetProperty("frame").GetInt64());
        Assert.Equal("cancelled", json.GetProperty("reason").GetString());
        Assert.Equal("inference", json.GetProperty("stage").GetString());
        Assert.Equal(100, json.GetProperty("budget_ms").GetDouble());
        Assert.Equal(1, json.GetProperty("total_count").GetInt64());
    }

    private List<PipelineEvent> MissEvents => [.. Events.Events.Where(e => e.Kind == PipelineEventKind.DeadlineMissed)];

    private FramePipeline Create(MissPolicy policy, StageBudgets? stages = null) =>
        Harness.CreatePipeline(Time, Sink, budgetMs: 100, policy, stages, delay: Slow, events: Events);

    /// <summary>A frame captured now (after <paramref name="advance"/> of hand-off wait, default none).</summary>
    private Frame NextFrame(int sequence, int seed = 0, TimeSpan advance = default)
    {
        Time.Advance(TimeSpan.FromMilliseconds(33));
        var frame = PipelineHarness.RandomFrame(32, 32, seed);
        frame.Sequence = sequence;
        frame.CapturedAt = Time.GetTimestamp();
        Time.Advance(advance);
        return frame;
    }

    private static JsonElement Parse(string message) => JsonDocument.Parse(message).RootElement;

    private static HashSet<string> Labels(JsonElement message, string key) =>
        [.. message.GetProperty(key).EnumerateArray().Select(label => label.GetString()!)];
}
