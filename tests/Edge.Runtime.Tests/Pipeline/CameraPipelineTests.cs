using System.Collections.Concurrent;
using Edge.Camera.Capture;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Events;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Runtime.Tests.Pipeline;

public sealed class CameraPipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static readonly ReconnectPolicy QuickPolicy = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(4),
    };

    [Fact]
    public void Run_SourceEnds_HandsEveryFrameToTheSlotThenCompletesItAndReleasesTheSource()
    {
        var source = new ListedSource(Read.Frame, Read.Frame, Read.Frame) { Handoff = FrameHandoff.Lossless };
        using var camera = Create(source);

        camera.Start();
        var sequences = Drain(camera.Slot);
        camera.Stop();

        Assert.Equal([1L, 2, 3], sequences);
        Assert.Equal(3, camera.Captured);
        Assert.Equal(0, camera.Overwritten);
        Assert.Equal(0, camera.ReadFailures);
        Assert.Null(camera.Fault);
        Assert.False(camera.IsConnected);
        Assert.True(source.Disposed);
    }

    [Fact]
    public void Run_NobodyTakesFrames_CountsTheOverwrittenOnes()
    {
        using var camera = Create(new ListedSource(Read.Frame, Read.Frame, Read.Frame, Read.Frame, Read.Frame));

        camera.Start();

        Assert.True(SpinWait.SpinUntil(() => camera.Captured == 5, Patience), "the source's five frames were not captured");
        Assert.Equal(4, camera.Overwritten); // latest frame wins: the slot keeps the fifth
        Assert.Equal(5, camera.Slot.Take(CancellationToken.None)!.Sequence);
    }

    [Fact]
    public void Run_CameraLostAndBack_RaisesEventsWithTheStreamIdAndMaskedSource_AndCountsTheReconnect()
    {
        var events = new ConcurrentQueue<PipelineEvent>();
        using var camera = Create(new ListedSource(Read.Frame, Read.Failed, Read.Frame) { Handoff = FrameHandoff.Lossless }, stream: "front-door_2", sourceText: "rtsp://admin:secret@10.0.0.7/live", events: new QueueSink(events));

        camera.Start();
        Assert.Equal([1L, 2], Drain(camera.Slot));

        Assert.Equal(1, camera.ReadFailures);
        Assert.Equal(1, camera.Reconnects);
        Assert.Equal([PipelineEventKind.CameraLost, PipelineEventKind.CameraRecovered], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("front-door_2", e.Stream));
        Assert.All(events, e => Assert.Equal(1, e.Frame));
        Assert.All(events, e => Assert.DoesNotContain("secret", e.Source, StringComparison.Ordinal));
        Assert.Equal(camera.Source, events.First().Source);
        Assert.DoesNotContain("secret", camera.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SourceFailsForGood_ExposesTheFault()
    {
        using var camera = Create(new ListedSource(Read.Frame, Read.Fatal));

        camera.Start();
        Drain(camera.Slot);

        Assert.Equal("listed fatal error", camera.Fault?.Message);
    }

    [Fact]
    public void Handoff_IsTheSources()
    {
        using var camera = Create(new ListedSource(Read.Frame) { Handoff = FrameHandoff.Lossless });

        Assert.Equal(FrameHandoff.Lossless, camera.Handoff);
        Assert.Equal(FrameHandoff.Lossless, camera.Slot.Handoff);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cam 0")]
    [InlineData("cam/0")]
    [InlineData("caméra")]
    public void Create_InvalidStreamId_Throws(string stream)
    {
        Assert.Throws<ArgumentException>(() => Create(new ListedSource(Read.Frame), stream: stream));
    }

    [Fact]
    public void Create_UnknownSource_ThrowsTheSourceError()
    {
        var error = Assert.Throws<FrameSourceException>(() => CameraPipeline.Create("cam0", "webcam:front", null, () => new Frame(4, 2), TimeProvider.System, NullLogger.Instance));

        Assert.Contains("webcam:front", error.Message, StringComparison.Ordinal);
    }

    private static CameraPipeline Create(ListedSource source, string stream = "cam0", string sourceText = "listed", IFrameOutput? events = null) =>
        new(stream, sourceText, source, () => new Frame(4, 2), TimeProvider.System, NullLogger.Instance, events, QuickPolicy);

    private static List<long> Drain(FrameSlot slot) => SlotDrain.Sequences(slot, Patience);

    private enum Read
    {
        Frame,
        Failed,
        Fatal,
    }

    /// <summary>Reads as listed, then reaches its end; opens always succeed.</summary>
    private sealed class ListedSource(params Read[] reads) : IFrameSource
    {
        private int next;

        public string Description => "listed";

        public double? PacingFps => null;

        public FrameHandoff Handoff { get; init; } = FrameHandoff.LatestWins;

        public bool Disposed { get; private set; }

        public void Open()
        {
        }

        public void Close()
        {
        }

        public FrameReadResult Read(Frame target)
        {
            if (next >= reads.Length)
            {
                return FrameReadResult.EndOfStream;
            }

            switch (reads[next++])
            {
                case CameraPipelineTests.Read.Frame:
                    target.Resize(4, 2);
                    return FrameReadResult.Frame;
                case CameraPipelineTests.Read.Failed:
                    return FrameReadResult.Failed;
                default:
                    throw new FrameSourceException("listed fatal error");
            }
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class QueueSink(ConcurrentQueue<PipelineEvent> events) : IFrameOutput
    {
        public void OnFrame(in FrameReport report)
        {
        }

        public void OnEvent(in PipelineEvent pipelineEvent) => events.Enqueue(pipelineEvent);
    }
}
