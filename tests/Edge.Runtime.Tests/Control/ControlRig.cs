using System.Text;
using Edge.Camera.Frames;
using Edge.Runtime.Budget;
using Edge.Runtime.Control;
using Edge.Runtime.Events;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Runtime.Tests.Control;

/// <summary>
/// A run as <c>edge run</c> assembles it (<see cref="AssembledPipeline"/> over the tiny batched model, one
/// <see cref="BatchScheduler"/>, a <see cref="RuntimeControl"/>) whose cameras the test fills and whose frame thread
/// the test drives, on a manual clock, so every change can be placed at a known frame. Each stream's frames always
/// hold the same picture, so its scores stay the same from frame to frame.
/// </summary>
internal sealed class ControlRig : IDisposable
{
    private readonly TestBundle bundle;
    private readonly FrameSignal signal = new();
    private readonly List<ManualCamera> cameras = [];

    public ControlRig(int streams = 2, int maxBatch = 2, IFrameOutput? sink = null, bool collect = true, Func<PipelineOptions, PipelineOptions>? configure = null, Func<ManualTimeProvider, IStageDelay>? delay = null, StreamCameraFactory? factory = null)
    {
        bundle = TestBundle.CreateBatched(maxBatch: 4);
        var settings = new PipelineOptions
        {
            Model = bundle.Directory,
            Source = "manual",
            Device = "test-device",
            Ep = Edge.Runtime.Inference.ExecutionProviderChoice.Cpu,
            Threads = 1,
            BudgetMs = 10_000,
            MaxBatch = maxBatch,
            Streams = [.. Enumerable.Range(0, streams).Select(s => new StreamOptions { Id = $"cam{s}", Source = $"manual:{s}" })],
        };
        Settings = configure?.Invoke(settings) ?? settings;
        IFrameOutput[] outputs = [.. collect ? new IFrameOutput[] { Log } : [], .. sink is null ? [] : new[] { sink }];
        Pipeline = AssembledPipeline.Create(Settings, outputs, Time, new PipelineExtras { StageDelay = delay?.Invoke(Time) });
        foreach (var stream in Pipeline.Streams)
        {
            cameras.Add(new ManualCamera(stream.Id, signal, cameras.Count));
        }

        Scheduler = new BatchScheduler([.. Pipeline.Streams.Select((stream, s) => new ScheduledStream(cameras[s].Slot, stream.Lanes))], signal, Time);
        Scheduler.WarmUp();
        Control = new RuntimeControl(Pipeline, Scheduler, cameras, Time)
        {
            CameraFactory = factory ?? ((stream, scheduled) =>
            {
                var camera = new ManualCamera(stream.Id, scheduled, 100 + cameras.Count).NotStarted();
                lock (cameras)
                {
                    cameras.Add(camera);
                }

                return camera;
            }),
        };
    }

    public ManualTimeProvider Time { get; } = new();

    public PipelineOptions Settings { get; }

    public AssembledPipeline Pipeline { get; }

    public BatchScheduler Scheduler { get; }

    public RuntimeControl Control { get; }

    /// <summary>Every frame report and label set, as the test reads them.</summary>
    public ReportCollector Log { get; } = new();

    public ManualCamera Camera(string stream)
    {
        lock (cameras)
        {
            return cameras.Last(camera => camera.Stream == stream);
        }
    }

    public FramePipeline Lane(string stream, int lane = 0) => Pipeline.Streams.Single(one => one.Id == stream).Lanes[lane];

    /// <summary>
    /// Every started, not stopped camera delivers its next frame, then, <paramref name="queuedMs"/> later, the frame
    /// thread labels all of them (allocation-free).
    /// </summary>
    public void Round(double queuedMs = 1)
    {
        lock (cameras)
        {
            for (var i = 0; i < cameras.Count; i++)
            {
                if (cameras[i].Started && !cameras[i].Stopped)
                {
                    cameras[i].Deliver(Time.GetTimestamp());
                }
            }
        }

        Time.Advance(TimeSpan.FromMilliseconds(queuedMs));
        Drain();
    }

    public void Rounds(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Round();
        }
    }

    /// <summary>Runs batches until no frame waits.</summary>
    public void Drain()
    {
        while (Scheduler.RunOnce(out _))
        {
        }
    }

    /// <summary>Drives the frame thread (no new frames) until <paramref name="change"/> completes, and returns its result.</summary>
    public T Await<T>(Task<T> change)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (!change.IsCompleted)
        {
            Assert.True(Environment.TickCount64 < deadline, "the change did not complete within 60 s");
            Scheduler.RunOnce(out _);
            change.Wait(TimeSpan.FromMilliseconds(1));
        }

        return change.GetAwaiter().GetResult();
    }

    /// <summary>The refusal <paramref name="change"/> fails with (driving the frame thread meanwhile).</summary>
    public ControlException Refusal<T>(Task<T> change)
    {
        var error = Assert.ThrowsAny<Exception>(() => Await(change));
        var refusal = Assert.IsType<ControlException>(error);
        Assert.DoesNotContain('\n', refusal.Message);
        return refusal;
    }

    public void Dispose()
    {
        Scheduler.Dispose();
        Pipeline.Dispose();
        lock (cameras)
        {
            cameras.ForEach(camera => camera.Dispose());
        }

        signal.Dispose();
        bundle.Dispose();
    }
}

/// <summary>A camera the test fills: each delivery is the next frame (sequence 1, 2, ...) of one fixed picture. Started as a running camera is.</summary>
internal sealed class ManualCamera : IStreamCamera
{
    private long captured;

    public ManualCamera(string stream, FrameSignal signal, int seed)
    {
        Stream = stream;
        Slot = new FrameSlot(() => PipelineHarness.RandomFrame(64, 48, seed)) { Signal = signal };
        Started = true;
    }

    public string Stream { get; }

    public string Source => $"manual:{Stream}";

    public FrameSlot Slot { get; }

    public long Captured => Interlocked.Read(ref captured);

    public long Overwritten => Slot.Overwritten;

    public bool IsConnected => Started && !Stopped;

    public bool Started { get; private set; }

    public bool Stopped { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Made by the factory: not started until the control starts it.</summary>
    public ManualCamera NotStarted()
    {
        Started = false;
        return this;
    }

    public void Deliver(long capturedAt)
    {
        var frame = Slot.SpareForWriter;
        frame.CapturedAt = capturedAt;
        frame.Sequence = Interlocked.Increment(ref captured);
        Slot.Publish();
    }

    public void Start() => Started = true;

    public void Stop()
    {
        Stopped = true;
        Slot.Complete();
    }

    public void Dispose() => Disposed = true;
}

/// <summary>One frame report as the tests read it (copied: reports are valid only during the call).</summary>
internal sealed record Reported(string Stream, string Head, long Frame, FrameOutcome Outcome, string[] Active, string[] TurnedOn, string[] TurnedOff, float[] Scores, string? Message);

/// <summary>Keeps every frame report, and the streams that joined and left (allocates; for behaviour tests).</summary>
internal sealed class ReportCollector : IFrameOutput
{
    private readonly List<Reported> reports = [];

    public List<string> Added { get; } = [];

    public List<string> Removed { get; } = [];

    public List<PipelineEvent> Events { get; } = [];

    public void OnEvent(in PipelineEvent pipelineEvent)
    {
        lock (Events)
        {
            Events.Add(pipelineEvent);
        }
    }

    public void OnStreamAdded(StreamOptions stream) => Added.Add(stream.Id);

    public void OnStreamRemoved(string stream) => Removed.Add(stream);

    public IReadOnlyList<Reported> Reports
    {
        get
        {
            lock (reports)
            {
                return [.. reports];
            }
        }
    }

    public IReadOnlyList<Reported> Of(string stream) => [.. Reports.Where(report => report.Stream == stream)];

    public void OnFrame(in FrameReport report)
    {
        var labels = report.Labels;
        string[] Names(ReadOnlySpan<int> indices)
        {
            var names = new string[indices.Length];
            for (var i = 0; i < indices.Length; i++)
            {
                names[i] = labels!.NameOf(indices[i]);
            }

            return names;
        }

        var reported = new Reported(
            report.Stream,
            report.Model,
            report.Frame,
            report.Outcome,
            labels is null ? [] : Names(labels.Active),
            labels is null || report.Message.IsEmpty ? [] : Names(labels.TurnedOn),
            labels is null || report.Message.IsEmpty ? [] : Names(labels.TurnedOff),
            labels is null ? [] : labels.Scores.ToArray(),
            report.Message.IsEmpty ? null : Encoding.UTF8.GetString(report.Message.Span));
        lock (reports)
        {
            reports.Add(reported);
        }
    }
}
