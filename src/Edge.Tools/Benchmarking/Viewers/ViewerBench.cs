using System.Diagnostics;
using Edge.Camera.Frames;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;
using Edge.Server.Hosting;
using Edge.Server.LiveView;

namespace Edge.Tools.Benchmarking.Viewers;

/// <summary>
/// Runs <c>edge bench --viewers</c>: one pipeline with the live view as an output and its server in-process on
/// loopback, playing preloaded frames window by window; before each window the count's viewers connect (one of them
/// stalled) and get their first frame, after it they leave. Counts take turns window by window (the order flipping
/// every round), so drift on a shared machine hits them alike; the ratio of published fps is measured in one run.
/// </summary>
public sealed class ViewerBench : IDisposable
{
    private const int LeadInFrames = 5;
    private static readonly TimeSpan MaxLeadIn = TimeSpan.FromSeconds(20);

    private readonly ViewerBenchOptions options;
    private readonly LiveView view;
    private readonly WindowLatency latency = new();
    private readonly AssembledPipeline assembled;
    private readonly EdgeServer server;
    private readonly FrameSlot slot;
    private readonly FramePlayer player;
    private readonly IReadOnlyList<Frame> playback;

    public ViewerBench(ViewerBenchOptions options)
    {
        if (options.ViewerCounts.Count == 0)
        {
            throw new ArgumentException("no viewer counts to run", nameof(options));
        }

        this.options = options;
        var bench = options.Bench;
        playback = BenchRunner.Preload(bench.Source, bench.FashionMnistFolder, bench.PlaybackFrames);
        view = new LiveView(options.View with { MaxViewers = Math.Max(1, options.ViewerCounts.Max()), Device = "bench" });
        var variant = bench.Variants[0];
        var settings = BenchRunner.SettingsOf(bench, variant);
        settings.Validate();
        try
        {
            assembled = AssembledPipeline.Create(settings, [new DiscardingOutput(), view, latency], TimeProvider.System, new PipelineExtras { StageDelay = bench.Delay });
            server = new EdgeServer(view);
            server.Start("127.0.0.1:0");
            var input = assembled.Bundle.Input;
            slot = new FrameSlot(() => new Frame(input.Width, input.Height));
            player = new FramePlayer(playback);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Warms up, then measures every count window by window; <paramref name="progress"/> hears each round.</summary>
    public ViewerBenchResult Run(Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var environment = HostEnvironment.Probe();
        var started = Stopwatch.GetTimestamp();
        var pipeline = assembled.Pipeline;
        var uri = new Uri($"ws://127.0.0.1:{server.LocalEndpoint!.Port}/view/streams/{pipeline.Stream}/ws");
        var counts = options.ViewerCounts.Select(count => new CountTotals(count)).ToList();

        // The stream is known to the view from its first frame on; the warm-up also runs the encoder and the sends.
        RunWindow(options.Bench.WarmUpFrames, null);
        RunWithViewers(uri, options.ViewerCounts.Max(), options.Bench.WarmUpFrames, null);
        pipeline.ResetStats();
        GcTuning.SettleBeforeSteadyState();

        var windows = (int)Math.Max(1, options.Bench.Frames / options.Bench.BlockFrames);
        for (var round = 0; round < windows && !cancellationToken.IsCancellationRequested; round++)
        {
            var order = round % 2 == 0 ? counts : Enumerable.Reverse(counts);
            foreach (var count in order)
            {
                RunWithViewers(uri, count.Viewers, options.Bench.BlockFrames, count);
            }

            if ((round + 1) % 5 == 0 || round + 1 == windows)
            {
                progress?.Invoke($"window {round + 1}/{windows}: " + string.Join(", ", counts.Select(c => $"{c.Viewers} viewers {c.Fps:F1} fps")));
            }
        }

        return new ViewerBenchResult
        {
            Options = options,
            Environment = environment,
            ModelName = assembled.Bundle.Name,
            Precision = assembled.Bundle.Precision,
            Ep = assembled.Session.Report.Active,
            FrameSize = (playback[0].Width, playback[0].Height),
            Counts = [.. counts.Select(count => count.Result())],
            WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
        };
    }

    public void Dispose()
    {
        player?.Dispose();
        server?.Dispose();
        view.Dispose();
        assembled?.Dispose();
    }

    private void RunWithViewers(Uri uri, int viewers, int frames, CountTotals? totals)
    {
        var clients = viewers == 0 ? null : ViewerClients.Connect(uri, viewers).GetAwaiter().GetResult();
        try
        {
            // Frames flow (unmeasured) until every reader is being sent frames, so the window measures viewers watching.
            // The stalled one's sends block only once the kernel's socket buffers (megabytes on loopback) are full: the
            // table shows how many frames it took and missed.
            var leadIn = Stopwatch.GetTimestamp();
            while (clients is { AllReceiving: false })
            {
                if (Stopwatch.GetElapsedTime(leadIn) > MaxLeadIn)
                {
                    throw new TimeoutException($"the live view's {clients.Readers} reading viewers did not all get a frame within {MaxLeadIn.TotalSeconds} s");
                }

                RunWindow(LeadInFrames, null);
            }

            var received = clients?.Frames ?? 0;
            var encoded = view.Encoded;
            var window = RunWindow(frames, totals?.Latency);
            var stalled = viewers == 0 ? default : StalledViewer();
            totals?.Add(window, view.Encoded - encoded, clients is null ? 0 : (double)(clients.Frames - received) / Math.Max(1, clients.Readers), (stalled.Sent, stalled.Dropped));
        }
        finally
        {
            clients?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        // The server notices the viewers leaving a moment later; the next window starts once it has.
        var leaving = Stopwatch.GetTimestamp();
        while (view.ViewerCount > 0)
        {
            if (Stopwatch.GetElapsedTime(leaving) > MaxLeadIn)
            {
                throw new TimeoutException($"the live view still had {view.ViewerCount} viewers {MaxLeadIn.TotalSeconds} s after they left");
            }

            Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System).GetAwaiter().GetResult();
        }
    }

    /// <summary>The viewer that never reads: the one sent the fewest frames.</summary>
    private (string Stream, string Head, string Kind, long Sent, long Dropped) StalledViewer() => view.Viewers().MinBy(v => v.Sent);

    /// <summary>Plays <paramref name="count"/> frames through the pipeline, as BenchRunner's blocks do, recording latency into <paramref name="recorder"/>.</summary>
    private Window RunWindow(int count, LatencyRecorder? recorder)
    {
        var pipeline = assembled.Pipeline;
        var rate = options.Bench.Rate;
        var overwrittenBefore = slot.Overwritten;
        var publishedBefore = pipeline.Stats.Published;
        var cpu = Environment.CpuUsage.TotalTime;
        latency.Recorder = recorder;
        var started = Stopwatch.GetTimestamp();
        player.Play(slot, count, rate);
        var taken = 0;
        while (taken + (slot.Overwritten - overwrittenBefore) < count)
        {
            var frame = slot.Take(CancellationToken.None)!;
            taken++;
            pipeline.Process(frame);
            if (rate == 0)
            {
                player.FrameDone();
            }
        }

        player.WaitForBlockEnd();
        var elapsed = Stopwatch.GetElapsedTime(started);
        latency.Recorder = null;
        return new Window(count, pipeline.Stats.Published - publishedBefore, elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }

    private readonly record struct Window(long Frames, long Published, double Seconds, double CpuSeconds);

    /// <summary>One viewer count's windows added up.</summary>
    private sealed class CountTotals(int viewers)
    {
        private int windows;
        private long frames;
        private long published;
        private double seconds;
        private double cpuSeconds;
        private long encoded;
        private double receivedPerReader;
        private long stalledSent;
        private long stalledMissed;

        public int Viewers => viewers;

        public LatencyRecorder Latency { get; } = new(1 << 20);

        public double Fps => seconds > 0 ? published / seconds : 0;

        public void Add(Window window, long encodedFrames, double perReader, (long Sent, long Missed) stalled)
        {
            windows++;
            frames += window.Frames;
            published += window.Published;
            seconds += window.Seconds;
            cpuSeconds += window.CpuSeconds;
            encoded += encodedFrames;
            receivedPerReader += perReader;
            stalledSent += stalled.Sent;
            stalledMissed += stalled.Missed;
        }

        public ViewerCountResult Result() => new(
            viewers,
            windows,
            frames,
            published,
            seconds,
            Fps,
            LatencySummary.Of(Latency),
            seconds > 0 ? 100 * cpuSeconds / seconds : 0,
            seconds > 0 ? encoded / seconds : 0,
            seconds > 0 ? receivedPerReader / seconds : 0,
            stalledSent,
            stalledMissed);
    }

    /// <summary>Records each published frame's end-to-end latency into the current window's count (nothing between windows).</summary>
    private sealed class WindowLatency : IFrameOutput
    {
        public LatencyRecorder? Recorder { get; set; }

        public void OnFrame(in FrameReport report)
        {
            if (Recorder is { } recorder && !double.IsNaN(report.EndToEndMs))
            {
                recorder.Record(report.EndToEndMs);
            }
        }
    }
}
