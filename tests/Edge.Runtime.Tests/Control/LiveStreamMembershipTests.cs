using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Control;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Runtime.Tests.Control;

/// <summary>Streams joining and leaving while the scheduler runs on its own thread, fed by real capture loops.</summary>
public sealed class LiveStreamMembershipTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AddAndRemoveStreams_WhileFramesFlow_NoFrameOfAnyStreamLostOrPublishedTwice()
    {
        using var bundle = TestBundle.CreateBatched(maxBatch: 4);
        var settings = new PipelineOptions
        {
            Model = bundle.Directory,
            Source = "counting",
            Device = "test-device",
            Ep = Edge.Runtime.Inference.ExecutionProviderChoice.Cpu,
            Threads = 1,
            BudgetMs = 60_000,
            MaxBatch = 2,
            Streams = [new StreamOptions { Id = "cam0", Source = "counting:0" }, new StreamOptions { Id = "cam1", Source = "counting:1" }],
        };
        var log = new ReportCollector();
        using var assembled = AssembledPipeline.Create(settings, [log], TimeProvider.System);
        using var signal = new FrameSignal();
        var cameras = assembled.Streams.Select(stream => Camera(stream, signal)).ToList();
        using var scheduler = new BatchScheduler([.. assembled.Streams.Select((stream, s) => new ScheduledStream(cameras[s].Slot, stream.Lanes))], signal, TimeProvider.System);
        var control = new RuntimeControl(assembled, scheduler, cameras, TimeProvider.System) { CameraFactory = Camera };
        cameras.ForEach(camera => camera.Start());
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => scheduler.Run(0, stop.Token), TaskCreationOptions.LongRunning);
        try
        {
            await Until(() => Published(log, "cam0").Count >= 20);
            var added = await control.AddStreamAsync(new StreamOptions { Id = "cam2", Source = "counting:2" }).WaitAsync(Patience);
            await Until(() => Published(log, "cam2").Count >= 20);
            var removed = await control.RemoveStreamAsync("cam1").WaitAsync(Patience);
            var atRemoval = Published(log, "cam0").Count;
            await Until(() => Published(log, "cam0").Count >= atRemoval + 20 && Published(log, "cam2").Count >= 40);

            Assert.Equal("cam2", added.Stream);
            Assert.Equal(Enumerable.Range(1, (int)removed.LastFrame).Select(frame => (long)frame), Published(log, "cam1"));
            Assert.True(cameras[1].Fault is null && !cameras[1].IsConnected, "cam1's camera was not stopped");
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
            control.CameraOf("cam2")?.Dispose();
            cameras.ForEach(camera => camera.Dispose());
        }

        foreach (var stream in new[] { "cam0", "cam1", "cam2" })
        {
            var frames = Published(log, stream);
            Assert.Equal(Enumerable.Range(1, frames.Count).Select(frame => (long)frame), frames);
        }
    }

    private static CameraPipeline Camera(AssembledStream stream, FrameSignal signal) =>
        new(stream.Id, stream.Options.Source, new CountingSource(), () => new Frame(64, 48), TimeProvider.System, NullLogger.Instance, stream.Lanes[0].Outputs, signal: signal);

    private static List<long> Published(ReportCollector log, string stream) =>
        [.. log.Of(stream).Where(report => report.Message is not null).Select(report => report.Frame)];

    private static async Task Until(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Patience.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "the frames did not come within 60 s");
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }

    /// <summary>An endless camera of one picture, paced at 100 frames per second, whose frames all reach the pipeline (lossless hand-off).</summary>
    private sealed class CountingSource : IFrameSource
    {
        private readonly byte[] picture = PipelineHarness.RandomFrame(64, 48, seed: 7).PixelSpan.ToArray();

        public string Description => "counting";

        public double? PacingFps => 100;

        public FrameHandoff Handoff => FrameHandoff.Lossless;

        public void Open()
        {
        }

        public void Close()
        {
        }

        public FrameReadResult Read(Frame target)
        {
            target.Resize(64, 48);
            picture.CopyTo(target.PixelSpan);
            return FrameReadResult.Frame;
        }

        public void Dispose()
        {
        }
    }
}
