using System.Diagnostics;
using Edge.Camera.Frames;
using Edge.Runtime.Bundles;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>
/// Runs <c>edge bench --streams</c>: each stream count in turn, in the order given, each with fresh sessions, players
/// and scheduler (a count's run is one uninterrupted window, because batching across streams only shows while every
/// stream runs together; alternating short blocks would measure the start-up of each). Frames are read from the
/// source before anything runs: stream i plays its own preloaded frames (a synthetic source gets seed i + 1).
/// </summary>
public sealed class StreamBench
{
    private readonly StreamBenchOptions options;
    private readonly List<IReadOnlyList<Frame>> playback = [];

    public StreamBench(StreamBenchOptions options)
    {
        if (options.StreamCounts.Count == 0)
        {
            throw new ArgumentException("no stream counts to run", nameof(options));
        }

        this.options = options;
        var streams = options.StreamCounts.Max();
        for (var i = 0; i < streams; i++)
        {
            playback.Add(BenchRunner.Preload(StreamBenchOptions.SourceOf(options.Bench.Source, i), options.Bench.FashionMnistFolder, options.Bench.PlaybackFrames));
        }
    }

    /// <summary>Runs every stream count; <paramref name="progress"/> hears which count starts and how it went.</summary>
    public StreamBenchResult Run(Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var environment = HostEnvironment.Probe();
        var started = Stopwatch.GetTimestamp();
        var bundle = ModelBundle.Load(options.Bench.Variants[0].Model);
        var counts = new List<StreamCountResult>();
        string ep = "";
        foreach (var count in options.StreamCounts)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            progress?.Invoke($"streams {count}: warming up and measuring");
            using var run = new StreamCountRun(options, count, playback);
            ep = run.Assembled.Session.Report.Active;
            var result = run.Run(cancellationToken);
            counts.Add(result);
            progress?.Invoke($"streams {count}: {result.AggregateFps:F1} fps, p99 {result.EndToEnd.P99:F1} ms, {result.Misses} misses");
        }

        return new StreamBenchResult
        {
            Options = options,
            Environment = environment,
            ModelName = bundle.Name,
            ModelPath = bundle.Directory,
            Sha256 = bundle.Sha256,
            Precision = bundle.Precision,
            Ep = ep,
            BundleMaxBatch = bundle.Batch.Max,
            Counts = counts,
            WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
            PeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            FrameSize = (playback[0][0].Width, playback[0][0].Height),
        };
    }
}
