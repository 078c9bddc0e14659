using System.Net.WebSockets;
using System.Runtime;
using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Edge.Server.Hosting;
using Edge.Server.LiveView;

namespace Edge.Server.Tests.LiveView;

/// <summary>The live view's measured tests run alone: other tests' threads would trigger collections mid-measurement.</summary>
[CollectionDefinition(nameof(LiveViewAllocationCollection), DisableParallelization = true)]
public sealed class LiveViewAllocationCollection;

/// <summary>
/// The frame thread's share of the live view allocates nothing per frame: nobody watching (the tap only looks), or a
/// viewer watching and every frame due (the tap copies pixels and label set into reused buffers and wakes the encoder).
/// </summary>
[Collection(nameof(LiveViewAllocationCollection))]
public sealed class LiveViewAllocationTests : IDisposable
{
    private const int WarmUpFrames = 20;
    private const int MeasuredFrames = 50;
    private static readonly TimeSpan FramePeriod = TimeSpan.FromMilliseconds(100);

    private readonly PipelineHarness harness = new();
    private readonly ManualTimeProvider time = new();
    private readonly Edge.Server.LiveView.LiveView view;
    private readonly FramePipeline pipeline;
    private readonly EdgeServer server;
    private readonly Edge.Camera.Frames.Frame frame = PipelineHarness.RandomFrame(64, 48, seed: 3);
    private long sequence;

    public LiveViewAllocationTests()
    {
        view = new Edge.Server.LiveView.LiveView(new LiveViewOptions { MaxFps = 15, Streams = [new ViewedStream("cam0", ["tiny"], [])] }, time);
        pipeline = harness.CreatePipeline(time, new DiscardingOutput(), budgetMs: 100, MissPolicy.Flag, events: view);
        server = new EdgeServer(view);
        server.Start("127.0.0.1:0");
    }

    public void Dispose()
    {
        server.Dispose();
        view.Dispose();
        pipeline.Dispose();
        harness.Dispose();
    }

    [Fact]
    public void OnFrame_NobodyWatching_AllocatesNothingAndCopiesNothing()
    {
        var allocated = AllocatedOverMeasuredFrames();

        Assert.Equal(0, allocated);
        Assert.Equal(WarmUpFrames + MeasuredFrames, pipeline.Stats.Published);
        Assert.Equal(0, view.Tapped);
        Assert.Equal(0, view.Encoded);
    }

    [Fact]
    public async Task OnFrame_AViewerWatchingEveryFrameDue_AllocatesNothingOnTheFrameThread()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.LocalEndpoint!.Port}/view/streams/cam0/ws"), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        long lastShown = 0;
        var reading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (meta, _, _) = await ViewerMessages.NextFrame(socket, seconds: 60);
                Interlocked.Exchange(ref lastShown, meta.GetProperty("frame").GetInt64());
            }
        }, stop.Token);
        await LiveViewRig.Eventually(() => view.ViewerCount == 1, "the viewer is admitted");

        var allocated = AllocatedOverMeasuredFrames();

        Assert.Equal(0, allocated);
        Assert.Equal(WarmUpFrames + MeasuredFrames, view.Tapped);
        // Frames came faster than the encoder took them (latest-frame-wins), but the last one always reaches the viewer.
        await LiveViewRig.Eventually(() => Interlocked.Read(ref lastShown) == sequence, $"the viewer is shown the last frame, {sequence}");
        Assert.InRange(view.Encoded, 1, sequence);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await stop.CancelAsync();
    }

    /// <summary>Runs warm-up frames, then measures this thread's allocations over the measured frames with no collection allowed.</summary>
    private long AllocatedOverMeasuredFrames()
    {
        for (var i = 0; i < WarmUpFrames; i++)
        {
            ProcessNext();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The encoder and Kestrel allocate on their threads meanwhile; a collection they trigger would retire this
        // thread's allocation context and make its count jump although it allocated nothing (see AllocationCollection).
        Assert.True(GC.TryStartNoGCRegion(64L * 1024 * 1024), "no GC region could be started");
        long allocated;
        try
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < MeasuredFrames; i++)
            {
                ProcessNext();
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        return allocated;
    }

    private void ProcessNext()
    {
        frame.Sequence = ++sequence;
        frame.CapturedAt = time.GetTimestamp();
        pipeline.Process(frame);
        time.Advance(FramePeriod);
    }
}
