using System.Diagnostics;
using Edge.Camera.Frames;
using Edge.Runtime.Control;
using Edge.Runtime.Inference;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Server.Tests.Api;

/// <summary>
/// A real run as <c>edge run</c> assembles it, on the system clock: the tiny batched model on the CPU, a synthetic
/// camera paced at <paramref name="fps"/>, the batch scheduler on its own thread. It counts published label sets
/// and keeps the model name of the latest, so tests can measure the pace and see a swap; <see cref="Control"/> changes it.
/// </summary>
internal sealed class RunningPipeline : IDisposable
{
    private readonly TestBundle bundle = TestBundle.CreateBatched(maxBatch: 4);
    private readonly FrameSignal signal = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Thread frameThread;
    private readonly PublishedFrames published = new();

    /// <param name="outputs">Further outputs told about every frame, after the counting one (metrics, for instance).</param>
    public RunningPipeline(int fps = 30, params IFrameOutput[] outputs)
    {
        var options = new PipelineOptions
        {
            Model = bundle.Directory,
            Source = $"synthetic?fps={fps}&size=32",
            Device = "test-device",
            Ep = ExecutionProviderChoice.Cpu,
            Threads = 1,
            BudgetMs = 5_000,
        };
        Assembled = AssembledPipeline.Create(options, [published, .. outputs], TimeProvider.System);
        var input = Assembled.Bundle.Input;
        var stream = Assembled.Streams[0];
        var camera = CameraPipeline.Create(stream.Id, options.Source, null, () => new Frame(input.Width, input.Height), TimeProvider.System, NullLogger.Instance, stream.Lanes[0].Outputs, signal);
        Scheduler = new BatchScheduler([new ScheduledStream(camera.Slot, stream.Lanes)], signal, TimeProvider.System);
        Scheduler.WarmUp();
        Control = new RuntimeControl(Assembled, Scheduler, [camera], TimeProvider.System)
        {
            CameraFactory = (added, wakes) => CameraPipeline.Create(added.Id, added.Options.Source, null, () => new Frame(input.Width, input.Height), TimeProvider.System, NullLogger.Instance, added.Lanes[0].Outputs, wakes),
        };
        camera.Start();
        frameThread = new Thread(() => Scheduler.Run(0, stop.Token)) { Name = "test frame thread", IsBackground = true };
        frameThread.Start();
    }

    public AssembledPipeline Assembled { get; }

    public BatchScheduler Scheduler { get; }

    public RuntimeControl Control { get; }

    /// <summary>The name the run's only head goes by (the bundle's).</summary>
    public string Head => Assembled.Streams[0].Lanes[0].Heads[0].Name;


    public long Published => published.Count;

    /// <summary>Label sets published for <paramref name="stream"/> so far.</summary>
    public long PublishedOf(string stream) => published.CountOf(stream);

    /// <summary>The model named in the latest label set.</summary>
    public string LatestModel => published.LatestModel;

    /// <summary>
    /// Holds the frame thread inside its next label set's output until the result is disposed: a model swap then
    /// waits for its batch boundary as long as the test wants.
    /// </summary>
    public async Task<IDisposable> StallFrameThreadAsync()
    {
        published.Stall();
        var deadline = Stopwatch.StartNew();
        while (!published.Stalled)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the frame thread did not reach a label set within 30 s");
            await Task.Delay(5);
        }

        return new Resumption(published);
    }

    /// <summary>Label sets published per second over <paramref name="window"/>, from now.</summary>
    public async Task<double> MeasurePaceAsync(TimeSpan window)
    {
        var first = published.Count;
        var watch = Stopwatch.StartNew();
        await Task.Delay(window);
        return (published.Count - first) / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Waits until <paramref name="count"/> label sets were published.</summary>
    public async Task WaitForPublishedAsync(long count)
    {
        var deadline = Stopwatch.StartNew();
        while (published.Count < count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"only {published.Count} of {count} label sets published within 30 s");
            await Task.Delay(10);
        }
    }

    /// <summary>A copy of the running bundle (same weights and labels) whose manifest name is <paramref name="name"/>.</summary>
    public static TestBundle Renamed(string name) => TestBundle.CreateBatched(maxBatch: 4, manifest => manifest["name"] = name);

    public void Dispose()
    {
        published.Resume();
        stop.Cancel();
        var cameras = Control.Cameras.ToList();
        cameras.ForEach(running => running.Stop());
        frameThread.Join();
        cameras.ForEach(running => running.Dispose());
        Scheduler.Dispose();
        Assembled.Dispose();
        signal.Dispose();
        stop.Dispose();
        bundle.Dispose();
    }

    private sealed class Resumption(PublishedFrames published) : IDisposable
    {
        public void Dispose() => published.Resume();
    }

    /// <summary>Counts label sets; reads the model name off the message (test code: it may allocate); can hold the frame thread.</summary>
    private sealed class PublishedFrames : IFrameOutput
    {
        private readonly ManualResetEventSlim flowing = new(initialState: true);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> perStream = new(StringComparer.Ordinal);
        private long count;
        private volatile string latestModel = "";
        private volatile bool stalled;

        public bool Stalled => stalled;

        public void Stall() => flowing.Reset();

        public void Resume() => flowing.Set();

        public long Count => Interlocked.Read(ref count);

        public string LatestModel => latestModel;

        public long CountOf(string stream) => perStream.GetValueOrDefault(stream);

        public void OnFrame(in FrameReport report)
        {
            if (report.Outcome is not (FrameOutcome.Published or FrameOutcome.PublishedLate))
            {
                return;
            }

            using var json = System.Text.Json.JsonDocument.Parse(report.Message.ToArray());
            latestModel = json.RootElement.GetProperty("model").GetProperty("name").GetString()!;
            perStream.AddOrUpdate(json.RootElement.GetProperty("stream").GetString()!, 1, (_, seen) => seen + 1);
            Interlocked.Increment(ref count);
            if (!flowing.IsSet)
            {
                stalled = true;
                flowing.Wait();
                stalled = false;
            }
        }
    }
}
