using System.Text.Json;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Tests.Pipeline;

namespace Edge.Runtime.Tests.Control;

/// <summary>After a model swap the run reports the running model everywhere, and says so in a <c>model_swapped</c> event.</summary>
public sealed class ControlModelSwapTests
{
    private const string Head = "tiny-multilabel";

    [Fact]
    public void SwapAsync_Switched_PipelineAndStatusReportTheNewModelAndEachStreamGetsAnEvent()
    {
        using var rig = new ControlRig(streams: 2);
        using var next = SwapRig.Renamed("tiny-v2");
        rig.Rounds(3);

        var result = rig.Await(rig.Control.Swap.SwapAsync(Head, next.Directory, CancellationToken.None));
        rig.Round();

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("tiny-v2", rig.Pipeline.Bundle.Name);
        Assert.Equal(Head, rig.Pipeline.Heads[0].Name);
        Assert.Same(rig.Lane("cam0").Heads[0].Session, rig.Pipeline.Session);
        Assert.Contains(rig.Pipeline.Session, rig.Pipeline.Sessions);
        var status = rig.Control.Status();
        Assert.Equal(("tiny-v2", result.Sha256![..12]), (status.Heads[0].Model, status.Heads[0].Sha256Prefix));
        Assert.All(status.Streams, stream => Assert.Equal("tiny-v2", stream.Heads[0].Model));
        var events = rig.Log.Events.Where(e => e.Kind == PipelineEventKind.ModelSwapped).OrderBy(e => e.Stream).ToList();
        Assert.Equal(["cam0", "cam1"], events.Select(e => e.Stream));
        Assert.All(events, e => Assert.Equal((3L, Head, "tiny-v2", "tiny-multilabel", result.Sha256, result.Timings), (e.Frame, e.Head, e.Model, e.PreviousModel, e.Sha256, e.Swap)));
    }

    [Fact]
    public void AddStreamAsync_AfterASwap_TheNewStreamRunsTheNewModel()
    {
        using var rig = new ControlRig(streams: 1);
        using var next = SwapRig.Renamed("tiny-v2");
        Assert.True(rig.Await(rig.Control.Swap.SwapAsync(Head, next.Directory, CancellationToken.None)).Succeeded);

        rig.Await(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "manual:door" }));
        rig.Round();

        Assert.Same(rig.Pipeline.Session, rig.Lane("door").Heads[0].Session);
        Assert.Contains("\"name\":\"tiny-v2\"", rig.Log.Of("door").Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ModelSwappedEvent_OneLineWithTheModelsAndTimings()
    {
        var writer = new EventJsonWriter("rover");

        writer.Write(new PipelineEvent
        {
            Kind = PipelineEventKind.ModelSwapped,
            Stream = "cam0",
            Frame = 41,
            At = new DateTimeOffset(2026, 12, 4, 7, 0, 0, TimeSpan.Zero),
            Head = "tagger",
            Model = "tagger-v2",
            Sha256 = "ab12",
            Precision = "int8",
            PreviousModel = "tagger-v1",
            Swap = new SwapTimings(120.5, 30, 40, 2, 193.25),
        });

        var line = JsonDocument.Parse(writer.Message).RootElement;
        Assert.Equal(
            ("model_swapped", 41L, "tagger", "tagger-v2", "ab12", "int8", "tagger-v1", 120.5, 193.25),
            (line.GetProperty("event").GetString(), line.GetProperty("frame").GetInt64(), line.GetProperty("head").GetString(), line.GetProperty("model").GetString(), line.GetProperty("sha256").GetString(), line.GetProperty("precision").GetString(), line.GetProperty("previous_model").GetString(), line.GetProperty("load_ms").GetDouble(), line.GetProperty("total_ms").GetDouble()));
        Assert.Equal((byte)'\n', writer.Message.Span[^1]);
    }
}
