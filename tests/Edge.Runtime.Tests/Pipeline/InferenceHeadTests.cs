using System.Text.Json;
using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Decoding;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Pipeline;

/// <summary>Inference heads, and the frame pipeline running one of them per frame.</summary>
public sealed class InferenceHeadTests : SlowStagePipelineTest
{
    [Fact]
    public void For_BuildsTheHeadTheBundleCallsFor_AroundTheGivenDecoder()
    {
        var decoder = NewDecoder();

        var head = InferenceHead.For("tiny", Harness.Bundle, Harness.Session, decoder, new MessageOrigin("rover-7", "gate-2", "synthetic"));

        Assert.Equal("tiny", head.Name);
        Assert.Same(Harness.Session, head.Session);
        Assert.Same(decoder, head.Decoder);
        Assert.Equal("gate-2", head.Stream);
        Assert.Equal(Harness.Bundle.Labels.Count, head.Writer.LabelCount);
        Assert.Null(head.Locator); // the harness session binds no activation maps
    }

    [Fact]
    public void Pipeline_LadderHeadWithItsOwnDecoder_IsRefused()
    {
        var primary = InferenceHead.For("tiny", Harness.Bundle, Harness.Session, NewDecoder(), PipelineHarness.Origin);
        var step = InferenceHead.For("half-rate", Harness.Bundle, Harness.Session, NewDecoder(), PipelineHarness.Origin);

        var error = Assert.Throws<ArgumentException>(() => new FramePipeline(primary, [Sink], new FrameBudget(100, Time), Time, MissPolicy.Degrade, (Ladder(), [step])));

        Assert.Contains("half-rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_LadderHeadOfAnotherStream_IsRefused()
    {
        var decoder = NewDecoder();
        var primary = InferenceHead.For("tiny", Harness.Bundle, Harness.Session, decoder, PipelineHarness.Origin);
        var step = InferenceHead.For("half-rate", Harness.Bundle, Harness.Session, decoder, PipelineHarness.Origin with { });
        var otherStream = InferenceHead.For("half-rate", Harness.Bundle, Harness.Session, decoder, new MessageOrigin("test-device", "cam1", "synthetic"));

        using var accepted = new FramePipeline(primary, [Sink], new FrameBudget(100, Time), Time, MissPolicy.Degrade, (Ladder(), [step]));
        Assert.Throws<ArgumentException>(() => new FramePipeline(primary, [Sink], new FrameBudget(100, Time), Time, MissPolicy.Degrade, (Ladder(), [otherStream])));
    }

    [Fact]
    public void Degrade_LevelChange_KeepsTheStreamsDecoderState_NoLabelTurnsOffOrOnAgain()
    {
        using var pipeline = Harness.CreatePipeline(Time, Sink, budgetMs: 100, MissPolicy.Degrade, degrade: Ladder(), delay: Slow, events: Events);
        var primaryDecoder = pipeline.Head.Decoder;

        // The same picture throughout: after the first frame no label may change, whichever head runs.
        for (var i = 1; i <= 16; i++)
        {
            Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(i > 3 ? 130 : 10);
            pipeline.Process(NextFrame(i));
        }

        Assert.Equal(1, pipeline.Level);
        Assert.Equal("half-rate", pipeline.Head.Name);
        Assert.Same(primaryDecoder, pipeline.Head.Decoder);
        var messages = Sink.Messages.Select(m => JsonDocument.Parse(m).RootElement).ToList();
        Assert.NotEmpty(Labels(messages[0], "active"));
        Assert.True(messages.Count > 5, "frames at the degraded level were published");
        Assert.All(messages.Skip(1), message =>
        {
            Assert.Empty(Labels(message, "turned_on"));
            Assert.Empty(Labels(message, "turned_off"));
            Assert.Equal(Labels(messages[0], "active"), Labels(message, "active"));
        });
        Assert.DoesNotContain(Events.Events, e => e.Kind is PipelineEventKind.LabelOn && e.Frame > 1);
        Assert.DoesNotContain(Events.Events, e => e.Kind is PipelineEventKind.LabelOff);
    }

    [Fact]
    public void Pipeline_MessagesAndEvents_CarryTheStreamId()
    {
        var decoder = NewDecoder();
        var origin = new MessageOrigin("rover-7", "dock_3", "synthetic");
        var heads = Ladder().Ladder.Select(step => InferenceHead.For(step.Name, Harness.Bundle, Harness.Session, decoder, origin)).ToList();
        using var pipeline = new FramePipeline(InferenceHead.For("tiny", Harness.Bundle, Harness.Session, decoder, origin), [Sink, Events], new FrameBudget(100, Time), Time, MissPolicy.Degrade, (Ladder(), heads))
        {
            StageDelay = Slow,
        };

        for (var i = 1; i <= 6; i++)
        {
            Slow.Delays[PipelineStage.Decode] = TimeSpan.FromMilliseconds(i > 1 ? 130 : 10);
            pipeline.Process(NextFrame(i));
        }

        Assert.Equal("dock_3", pipeline.Stream);
        Assert.All(Sink.Messages, m => Assert.Equal("dock_3", JsonDocument.Parse(m).RootElement.GetProperty("stream").GetString()));
        Assert.Contains(Events.Events, e => e.Kind == PipelineEventKind.DeadlineMissed);
        Assert.Contains(Events.Events, e => e.Kind == PipelineEventKind.Degraded);
        Assert.All(Events.Events, e => Assert.Equal("dock_3", e.Stream));
        var writer = new EventJsonWriter("rover-7");
        Assert.All(Events.Events, e =>
        {
            writer.Write(e);
            Assert.Equal("dock_3", JsonDocument.Parse(writer.Message).RootElement.GetProperty("stream").GetString());
        });
    }

    private static DegradeOptions Ladder() => new()
    {
        WindowFrames = 4,
        MissRateToDegrade = 0.3,
        HeadroomFraction = 0.5,
        RecoverFrames = 100,
        Ladder = [new() { Name = "half-rate", FrameStride = 2 }],
    };

    private MultiLabelDecoder NewDecoder() => new(Harness.Bundle.Labels, Harness.Bundle.OutputKind, new DecoderOptions());

    private Frame NextFrame(int sequence)
    {
        Time.Advance(TimeSpan.FromMilliseconds(33));
        var frame = PipelineHarness.RandomFrame(32, 32, seed: 4);
        frame.Sequence = sequence;
        frame.CapturedAt = Time.GetTimestamp();
        return frame;
    }

    private static string[] Labels(JsonElement message, string key) =>
        [.. message.GetProperty(key).EnumerateArray().Select(label => label.GetString()!).Order(StringComparer.Ordinal)];
}
