using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Control;

/// <summary>Streams joining and leaving a running pipeline (<see cref="RuntimeControl.AddStreamAsync"/>, <see cref="RuntimeControl.RemoveStreamAsync"/>).</summary>
public sealed class StreamMembershipTests
{
    [Fact]
    public void AddStreamAsync_WhileFramesFlow_ServedFromTheNextBoundaryOnWithTheRunningSessions()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Rounds(3);

        var added = rig.Await(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "manual:door", BudgetMs = 500 }));
        rig.Rounds(3);

        Assert.Equal(("door", "manual:door", "tiny-multilabel"), (added.Stream, added.Source, Assert.Single(added.Heads)));
        Assert.True(rig.Camera("door").Started);
        Assert.Equal([1L, 2, 3], Published(rig, "door"));
        Assert.Equal(Enumerable.Range(1, 6).Select(frame => (long)frame), Published(rig, "cam0"));
        Assert.Equal(Enumerable.Range(1, 6).Select(frame => (long)frame), Published(rig, "cam1"));
        Assert.Same(rig.Lane("cam0").Heads[0].Session, rig.Lane("door").Heads[0].Session);
        Assert.Equal(500, rig.Lane("door").Budget.BudgetMs);
        Assert.Equal(["door"], rig.Log.Added);
        Assert.Equal(["cam0", "cam1", "door"], rig.Control.Status().Streams.Select(stream => stream.Id));
        Assert.Equal(["cam0", "cam1", "door"], rig.Pipeline.Streams.Select(stream => stream.Id));
        Assert.Contains("\"stream\":\"door\"", rig.Log.Of("door")[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveStreamAsync_FrameInFlight_FinishedFirstThenTheStreamLeavesAndItsCameraStops()
    {
        // Batches of one: after one batch, cam1's and cam2's frames 1 wait, admitted.
        using var rig = new ControlRig(streams: 3, maxBatch: 1);
        foreach (var stream in new[] { "cam0", "cam1", "cam2" })
        {
            rig.Camera(stream).Deliver(rig.Time.GetTimestamp());
        }

        Assert.True(rig.Scheduler.RunOnce(out _));
        var removal = rig.Control.RemoveStreamAsync("cam1");
        rig.Scheduler.RunOnce(out _); // cam1 leaves now, but its frame 1 is still to run
        var early = removal.IsCompleted;
        var removed = rig.Await(removal);
        rig.Drain();
        rig.Rounds(2);

        Assert.False(early);
        Assert.Equal(new StreamRemoved("cam1", 1), removed);
        Assert.Equal([1L], Published(rig, "cam1"));
        Assert.Equal([1L, 2, 3], Published(rig, "cam0"));
        Assert.Equal([1L, 2, 3], Published(rig, "cam2"));
        var camera = rig.Camera("cam1");
        Assert.True(camera.Stopped && camera.Disposed);
        Assert.Equal(["cam1"], rig.Log.Removed);
        Assert.Equal(["cam0", "cam2"], rig.Control.StreamIds);
        Assert.Equal(["cam0", "cam2"], rig.Pipeline.Streams.Select(stream => stream.Id));
        Assert.Equal(6 + 1, rig.Scheduler.Published); // the removed stream's label set still counts
    }

    [Fact]
    public void AddStreamAsync_AfterRemovingIt_RunsAgainWithANewCamera()
    {
        using var rig = new ControlRig(streams: 2);
        rig.Rounds(2);
        rig.Await(rig.Control.RemoveStreamAsync("cam1"));
        rig.Rounds(2);

        rig.Await(rig.Control.AddStreamAsync(new StreamOptions { Id = "cam1", Source = "manual:again" }));
        rig.Rounds(2);

        Assert.Equal([1L, 2, 1, 2], Published(rig, "cam1"));
        Assert.Equal(["cam0", "cam1"], rig.Control.StreamIds);
    }

    public static TheoryData<StreamOptions, ControlErrorKind, string> BadStreams => new()
    {
        { new StreamOptions { Id = "cam0", Source = "manual:x" }, ControlErrorKind.Conflict, "stream 'cam0' runs already: expected an id no running stream has" },
        { new StreamOptions { Id = "Door 1", Source = "manual:x" }, ControlErrorKind.Invalid, "stream 'Door 1': setting 'id' is Door 1: expected 1 to 64 characters of a-z, 0-9, '_' and '-'" },
        { new StreamOptions { Id = "door", Source = " " }, ControlErrorKind.Invalid, "stream 'door': setting 'source' is  : expected a frame source, as the source setting takes it" },
        { new StreamOptions { Id = "door", Source = "manual:x", BudgetMs = 0 }, ControlErrorKind.Invalid, "stream 'door': setting 'budget_ms' is 0: expected a number from 1 to 60000" },
        { new StreamOptions { Id = "door", Source = "manual:x", Heads = ["scene"] }, ControlErrorKind.Invalid, "stream 'door': setting 'heads' is scene: expected one of the heads: tiny-multilabel" },
        { new StreamOptions { Id = "door", Source = "manual:x", Thresholds = new Dictionary<string, ThresholdOverride> { ["hat"] = new() { Threshold = 0.5f } } }, ControlErrorKind.Invalid, "stream 'door': setting 'thresholds.hat' (on) names label 'hat', which none of the stream's models has: expected a label of the stream's models: t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle-boot" },
        { new StreamOptions { Id = "door", Source = "manual:x", Thresholds = new Dictionary<string, ThresholdOverride> { ["bag"] = new() { Threshold = 2 } } }, ControlErrorKind.Invalid, "stream 'door': setting 'thresholds.bag.threshold' is 2: expected a number from 0 to 1" },
    };

    [Theory]
    [MemberData(nameof(BadStreams))]
    public void AddStreamAsync_Invalid_RefusedAndNothingChanged(StreamOptions stream, ControlErrorKind kind, string expected)
    {
        using var rig = new ControlRig(streams: 2);

        var refusal = rig.Refusal(rig.Control.AddStreamAsync(stream));
        rig.Round();

        Assert.Equal((kind, expected), (refusal.Kind, refusal.Message));
        Assert.Equal(["cam0", "cam1"], rig.Control.StreamIds);
        Assert.Empty(rig.Log.Added);
        Assert.Equal(2, rig.Log.Reports.Count);
    }

    [Fact]
    public void AddStreamAsync_AtMaxStreams_Refused()
    {
        using var rig = new ControlRig(streams: 2, configure: settings => settings with { MaxStreams = 2 });

        var refusal = rig.Refusal(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "manual:x" }));

        Assert.Equal((ControlErrorKind.Conflict, "the run has 2 streams, its max_streams: expected one removed first, or a higher max_streams at start"), (refusal.Kind, refusal.Message));
    }

    [Fact]
    public void AddStreamAsync_CameraCannotBeOpened_UnavailableAndEverythingUndone()
    {
        UnopenableCamera? camera = null;
        using var rig = new ControlRig(streams: 1, factory: (stream, signal) => camera = new UnopenableCamera(stream.Id, signal));

        var refusal = rig.Refusal(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "rtsp://user:secret@gate/cam" }));
        rig.Round();

        Assert.Equal((ControlErrorKind.Unavailable, "stream 'door': its source rtsp://user:***@gate/cam cannot be opened: connection refused"), (refusal.Kind, refusal.Message));
        Assert.True(camera!.Stopped && camera.Disposed);
        Assert.Equal(["door"], rig.Log.Added);
        Assert.Equal(["door"], rig.Log.Removed);
        Assert.Equal(["cam0"], rig.Control.StreamIds);
        Assert.Equal([1L], Published(rig, "cam0"));
    }

    [Fact]
    public void AddStreamAsync_SourceThisBuildCannotRead_Invalid()
    {
        using var rig = new ControlRig(streams: 1, factory: (_, _) => throw new FrameSourceException("unknown source scheme 'ftp'"));

        var refusal = rig.Refusal(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "ftp://x" }));

        Assert.Equal((ControlErrorKind.Invalid, "stream 'door': setting 'source' (ftp://x) names no source this build can read: unknown source scheme 'ftp'"), (refusal.Kind, refusal.Message));
    }

    [Fact]
    public void AddStreamAsync_DegradeWithoutTheLaddersModels_Invalid()
    {
        using var rig = new ControlRig(streams: 1, configure: settings => settings with
        {
            Degrade = new DegradeOptions { Ladder = [new LadderStep { Name = "small", Model = settings.Model }] },
        });

        var refusal = rig.Refusal(rig.Control.AddStreamAsync(new StreamOptions { Id = "door", Source = "manual:x", MissPolicy = MissPolicy.Degrade }));

        Assert.Equal(ControlErrorKind.Invalid, refusal.Kind);
        Assert.StartsWith("stream 'door': setting 'miss_policy' (degrade) needs the degrade ladder's models", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveStreamAsync_UnknownOrLast_Refused()
    {
        using var rig = new ControlRig(streams: 1);

        var unknown = rig.Refusal(rig.Control.RemoveStreamAsync("cam7"));
        var last = rig.Refusal(rig.Control.RemoveStreamAsync("cam0"));

        Assert.Equal((ControlErrorKind.NotFound, "no stream is named 'cam7': expected one of [cam0]"), (unknown.Kind, unknown.Message));
        Assert.Equal((ControlErrorKind.Conflict, "stream 'cam0' is the run's only stream: expected at least one stream to stay (stop the run instead)"), (last.Kind, last.Message));
        rig.Round();
        Assert.Equal([1L], Published(rig, "cam0"));
    }

    private static IEnumerable<long> Published(ControlRig rig, string stream) =>
        rig.Log.Of(stream).Where(report => report.Message is not null).Select(report => report.Frame);

    /// <summary>A camera whose source refuses to open.</summary>
    private sealed class UnopenableCamera(string stream, FrameSignal signal) : IStreamCamera
    {
        public string Stream => stream;

        public string Source => "rtsp://user:***@gate/cam";

        public FrameSlot Slot { get; } = new(() => new Frame(64, 48)) { Signal = signal };

        public long Captured => 0;

        public long Overwritten => 0;

        public bool IsConnected => false;

        public bool Stopped { get; private set; }

        public bool Disposed { get; private set; }

        public void Start() => throw new FrameSourceException("connection refused");

        public void Stop() => Stopped = true;

        public void Dispose() => Disposed = true;
    }
}
