using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Runtime.Tests.Publishing;

/// <summary>The one output contract: every output hears each frame once, then the events that frame caused.</summary>
public sealed class FrameOutputTests : IDisposable
{
    private readonly PipelineHarness harness = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeSlowStage slow;

    public FrameOutputTests() => slow = new FakeSlowStage(time);

    public void Dispose() => harness.Dispose();

    [Fact]
    public void EveryOutput_HearsEachFrameOnce_InRegistrationOrder_WithTheMessageOnlyWhenPublished()
    {
        var heard = new List<(string Output, long Frame, FrameOutcome Outcome, bool Message)>();
        var first = new RecordingOutput("first", heard);
        var second = new RecordingOutput("second", heard);
        var labelSets = new CollectingSink();
        using var withBoth = new FramePipeline(
            InferenceHead.For("tiny", harness.Bundle, harness.Session, new Edge.Runtime.Decoding.MultiLabelDecoder(harness.Bundle.Labels, harness.Bundle.OutputKind, new Edge.Runtime.Decoding.DecoderOptions()), PipelineHarness.Origin),
            [first, second, labelSets], new FrameBudget(100, time), time, MissPolicy.Drop)
        {
            StageDelay = slow,
        };

        withBoth.Process(NextFrame(1));
        slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);
        withBoth.Process(NextFrame(2));
        slow.Delays.Clear();
        withBoth.Process(NextFrame(3, advance: TimeSpan.FromMilliseconds(120)));

        Assert.Equal(
            [
                ("first", 1L, FrameOutcome.Published, true), ("second", 1L, FrameOutcome.Published, true),
                ("first", 2L, FrameOutcome.Withheld, false), ("second", 2L, FrameOutcome.Withheld, false),
                ("first", 3L, FrameOutcome.DroppedStale, false), ("second", 3L, FrameOutcome.DroppedStale, false),
            ],
            heard);
        Assert.Equal(first.Messages, second.Messages);
        Assert.Equal(labelSets.Messages, first.Messages);
        Assert.Equal(1, JsonDocument.Parse(Assert.Single(first.Messages)).RootElement.GetProperty("frame").GetInt64());
        Assert.Same(withBoth.Stats, first.LastStats);
    }

    [Fact]
    public void Events_ComeAfterTheReportOfTheFrameThatCausedThem_AndBeforeTheNext()
    {
        var log = new EventOrderLog();
        var degrade = new DegradeOptions { WindowFrames = 4, RecoverFrames = 4, MissRateToDegrade = 0.3 };
        using var pipeline = harness.CreatePipeline(time, log, budgetMs: 100, MissPolicy.Degrade, degrade: degrade, delay: slow);
        for (var i = 1; i <= 40; i++)
        {
            slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(i is > 4 and < 20 ? 150 : 5);
            pipeline.Process(NextFrame(i, seed: i));
        }

        Assert.Contains(log.Events, e => e.Kind == PipelineEventKind.DeadlineMissed);
        Assert.Contains(log.Events, e => e.Kind == PipelineEventKind.Degraded);
        Assert.Contains(log.Events, e => e.Kind == PipelineEventKind.Recovered);
        Assert.Empty(log.OutOfOrder);
    }

    [Fact]
    public void LabelSetAndEventLines_SharingOneStream_WriteTheLabelSetBeforeItsEvents()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var lines = JsonLinesSink.Open(path, time, NullLogger.Instance))
            {
                using var pipeline = harness.CreatePipeline(time, new LabelSetLinesOutput(lines), budgetMs: 100, MissPolicy.Flag, delay: slow, events: new EventLinesOutput(new EventJsonWriter("test-device"), lines));
                slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);
                pipeline.Process(NextFrame(1));
                slow.Delays[PipelineStage.Inference] = TimeSpan.FromMilliseconds(500);
                pipeline.Process(NextFrame(2));
            }

            var written = File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.Equal("edge.labels/2", written[0].GetProperty("schema").GetString());
            Assert.False(written[0].GetProperty("deadline_met").GetBoolean());
            Assert.All(written.Skip(1), line => Assert.Equal("edge.event/1", line.GetProperty("schema").GetString()));
            Assert.Equal(
                [(1L, "deadline_missed"), (2L, "deadline_missed")],
                written.Where(line => line.GetProperty("schema").GetString() == "edge.event/1" && line.GetProperty("event").GetString() == "deadline_missed")
                    .Select(line => (line.GetProperty("frame").GetInt64(), line.GetProperty("event").GetString())));
            Assert.Equal("deadline_missed", written[^1].GetProperty("event").GetString()); // frame 2 was cancelled: no label set
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DiscardingOutput_CountsPublishedLabelSetsOnly()
    {
        var discarding = new DiscardingOutput();
        var labelSets = new CollectingSink();
        using var pipeline = harness.CreatePipeline(time, discarding, budgetMs: 100, MissPolicy.Drop, delay: slow, events: labelSets);

        pipeline.Process(NextFrame(1));
        slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(150);
        pipeline.Process(NextFrame(2));

        Assert.Equal(1, discarding.Messages);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(Assert.Single(labelSets.Messages)), discarding.Bytes);
    }

    private Frame NextFrame(int sequence, int seed = 0, TimeSpan advance = default)
    {
        time.Advance(TimeSpan.FromMilliseconds(33));
        var frame = PipelineHarness.RandomFrame(32, 32, seed);
        frame.Sequence = sequence;
        frame.CapturedAt = time.GetTimestamp();
        time.Advance(advance);
        return frame;
    }

    private sealed class RecordingOutput(string name, List<(string, long, FrameOutcome, bool)> heard) : IFrameOutput
    {
        public List<string> Messages { get; } = [];

        public PipelineStats? LastStats { get; private set; }

        public void OnFrame(in FrameReport report)
        {
            heard.Add((name, report.Frame, report.Outcome, !report.Message.IsEmpty));
            LastStats = report.Stats;
            if (!report.Message.IsEmpty)
            {
                Messages.Add(System.Text.Encoding.UTF8.GetString(report.Message.Span));
            }
        }
    }

    /// <summary>Notes every event that does not belong to the frame reported last.</summary>
    private sealed class EventOrderLog : IFrameOutput
    {
        private long lastFrame;

        public List<PipelineEvent> Events { get; } = [];

        public List<string> OutOfOrder { get; } = [];

        public void OnFrame(in FrameReport report) => lastFrame = report.Frame;

        public void OnEvent(in PipelineEvent pipelineEvent)
        {
            Events.Add(pipelineEvent);
            if (pipelineEvent.Frame != lastFrame)
            {
                OutOfOrder.Add($"{pipelineEvent.Kind} of frame {pipelineEvent.Frame} after the report of frame {lastFrame}");
            }
        }
    }
}
