using System.Diagnostics;
using Edge.Camera.Frames;
using Edge.Camera.Sources;
using Edge.Runtime.Budget;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Tools.Benchmarking;

/// <summary>
/// Runs <c>edge bench</c>: every variant's full pipeline (hand-off, preprocess, inference with its deadline, decode,
/// serialise, hand to a discarding output) on frames played by a <see cref="FramePlayer"/>, and the same session's
/// bare inference on the same preprocessed tensor, in alternating blocks and round-robin across variants.
/// </summary>
public sealed class BenchRunner : IDisposable
{
    private readonly BenchOptions options;
    private readonly TimeProvider time;
    private readonly List<Contestant> contestants = [];
    private readonly List<Frame> playback;
    private readonly FramePlayer player;

    public BenchRunner(BenchOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        playback = Preload(options.Source, options.FashionMnistFolder, options.PlaybackFrames);
        try
        {
            foreach (var variant in options.Variants)
            {
                contestants.Add(new Contestant(variant, options, TimelineCapacity(options)));
            }

            player = new FramePlayer(playback);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public (int Width, int Height) FrameSize => (playback[0].Width, playback[0].Height);

    /// <summary>Warms up, measures and returns the results; <paramref name="progress"/> gets measured frames so far.</summary>
    public BenchResult Run(IProgress<(long Done, long Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var environment = HostEnvironment.Probe();
        using var power = new PowerSampler(PowerRails.Discover(), time);
        foreach (var contestant in contestants)
        {
            RunBlock(contestant, options.WarmUpFrames, measured: false);
            RunBare(contestant, Math.Max(10, options.WarmUpFrames / 2), measured: false);
            contestant.Assembled.Pipeline.ResetStats();
        }

        GcTuning.SettleBeforeSteadyState();
        var started = Stopwatch.GetTimestamp();
        power.Start();
        var total = options.DurationSeconds is null ? options.Frames * contestants.Count : 0;
        for (var round = 0; !cancellationToken.IsCancellationRequested; round++)
        {
            var progressed = false;
            foreach (var contestant in contestants)
            {
                var count = options.DurationSeconds is null
                    ? (int)Math.Min(options.BlockFrames, options.Frames - contestant.Offered)
                    : options.BlockFrames;
                if (count <= 0)
                {
                    continue;
                }

                // Alternate which goes first: whatever follows another configuration's block shares the CPU with its
                // ONNX Runtime threads still spinning down, and that must not always fall on the same side.
                if (round % 2 == 0)
                {
                    RunBlock(contestant, count, measured: true);
                    RunBare(contestant, count, measured: true);
                }
                else
                {
                    RunBare(contestant, count, measured: true);
                    RunBlock(contestant, count, measured: true);
                }

                progressed = true;
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var done = contestants.Sum(c => c.Offered);
            progress?.Report(options.DurationSeconds is { } seconds ? ((long)(elapsed * 1000), (long)(seconds * 1000)) : (done, total));
            if (!progressed || (options.DurationSeconds is { } limit && elapsed >= limit))
            {
                break;
            }
        }

        power.Stop();
        return new BenchResult
        {
            Options = options,
            Environment = environment,
            Variants = [.. contestants.Select(c => c.Result())],
            Power = power.Report,
            WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
            PeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            FrameSize = FrameSize,
        };
    }

    public void Dispose()
    {
        player?.Dispose();
        foreach (var contestant in contestants)
        {
            contestant.Dispose();
        }
    }

    private void RunBlock(Contestant contestant, int count, bool measured)
    {
        var pipeline = contestant.Assembled.Pipeline;
        var slot = contestant.Slot;
        var overwrittenBefore = slot.Overwritten;
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var cpu = Environment.CpuUsage.TotalTime;
        var playerAllocated = player.AllocatedBytes;
        contestant.BlockStarts.Add(pipeline.Timeline!.Count);
        var started = Stopwatch.GetTimestamp();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        player.Play(slot, count, options.Rate);
        var taken = 0;
        while (taken + (slot.Overwritten - overwrittenBefore) < count)
        {
            var frame = slot.Take(CancellationToken.None)!;
            taken++;
            pipeline.Process(frame);
            if (options.Rate == 0)
            {
                player.FrameDone();
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (options.Rate > 0)
        {
            // A block at a fixed rate lasts its whole schedule (N periods), so throughput is not over-counted.
            SleepUntil(started + (long)(count * Stopwatch.Frequency / options.Rate));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        player.WaitForBlockEnd();
        if (!measured)
        {
            return;
        }

        contestant.Offered += count;
        contestant.Overwritten += slot.Overwritten - overwrittenBefore;
        contestant.AllocatedBytes += allocated + (player.AllocatedBytes - playerAllocated);
        contestant.Gen0 += GC.CollectionCount(0) - gen0;
        contestant.Gen1 += GC.CollectionCount(1) - gen1;
        contestant.Gen2 += GC.CollectionCount(2) - gen2;
        contestant.GcPause += GC.GetTotalPauseDuration() - pause;
        contestant.Cpu += Environment.CpuUsage.TotalTime - cpu;
        contestant.Measured += elapsed;
    }

    private void RunBare(Contestant contestant, int count, bool measured)
    {
        var session = contestant.Assembled.Session;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            if (options.Rate > 0)
            {
                SleepUntil(started + (long)(i * Stopwatch.Frequency / options.Rate));
            }

            var before = Stopwatch.GetTimestamp();
            session.Run();
            var ms = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
            if (measured)
            {
                contestant.Bare.Record(ms);
            }
        }
    }

    /// <summary>Blocks until a <see cref="Stopwatch"/> timestamp: the fixed-rate schedule runs in real time.</summary>
    private static void SleepUntil(long dueTimestamp)
    {
        var wait = dueTimestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
#pragma warning disable RS0030 // Pacing a benchmark is a real wait, and Task.Delay's timer (1 ms granularity) would blur sub-millisecond periods.
            Thread.Sleep(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
#pragma warning restore RS0030
        }
    }

    /// <summary>The pipeline settings one variant of the bench runs with (every bench mode starts from these).</summary>
    internal static PipelineOptions SettingsOf(BenchOptions options, BenchVariant variant) => new()
    {
        Model = variant.Model,
        Source = options.Source,
        BudgetMs = options.BudgetMs,
        Ep = variant.Ep,
        Threads = options.Threads,
        CpuSpin = options.CpuSpin,
        Device = "bench",
        MissPolicy = options.MissPolicy,
        StageBudgets = options.StageBudgets,
        Degrade = options.Degrade,
    };

    private static int TimelineCapacity(BenchOptions options)
    {
        var frames = options.DurationSeconds is { } seconds
            ? (options.Rate > 0 ? seconds * options.Rate : seconds * 2000) / options.Variants.Count + options.BlockFrames
            : options.Frames;
        return (int)Math.Clamp(frames + options.BlockFrames, 1, 1 << 20);
    }

    /// <summary>Reads the frames to play from the source, before anything is measured.</summary>
    internal static List<Frame> Preload(string sourceText, string? fashionMnistFolder, int count)
    {
        using var source = FrameSources.Create(sourceText, fashionMnistFolder);
        source.Open();
        var frames = new List<Frame>(count);
        try
        {
            while (frames.Count < count)
            {
                var frame = new Frame(1, 1);
                var result = source.Read(frame);
                if (result == FrameReadResult.EndOfStream)
                {
                    break;
                }

                if (result != FrameReadResult.Frame)
                {
                    throw new FrameSourceException($"source '{sourceText}' failed to deliver frame {frames.Count + 1} while preloading frames to play");
                }

                frames.Add(frame);
            }
        }
        finally
        {
            source.Close();
        }

        if (frames.Count == 0)
        {
            throw new FrameSourceException($"source '{sourceText}' delivered no frames: expected at least one to play");
        }

        return frames;
    }

    /// <summary>One variant's pipeline, hand-off slot and running totals.</summary>
    private sealed class Contestant : IDisposable
    {
        private readonly BenchVariant variant;
        private readonly double budgetMs;

        public Contestant(BenchVariant variant, BenchOptions options, int timelineCapacity)
        {
            this.variant = variant;
            budgetMs = options.BudgetMs;
            var settings = SettingsOf(options, variant);
            settings.Validate();
            Assembled = AssembledPipeline.Create(settings, [new DiscardingOutput()], TimeProvider.System, new PipelineExtras
            {
                StageDelay = options.Delay,
                Timeline = new FrameTimeline(timelineCapacity),
            });
            var input = Assembled.Bundle.Input;
            Slot = new FrameSlot(() => new Frame(input.Width, input.Height));
        }

        public AssembledPipeline Assembled { get; }

        public FrameSlot Slot { get; }

        public LatencyRecorder Bare { get; } = new(1 << 20);

        public List<int> BlockStarts { get; } = [];

        public long Offered { get; set; }

        public long Overwritten { get; set; }

        public long AllocatedBytes { get; set; }

        public int Gen0 { get; set; }

        public int Gen1 { get; set; }

        public int Gen2 { get; set; }

        public TimeSpan GcPause { get; set; }

        public TimeSpan Cpu { get; set; }

        public TimeSpan Measured { get; set; }

        public VariantResult Result()
        {
            var stats = Assembled.Pipeline.Stats;
            var bundle = Assembled.Bundle;
            var timeline = Assembled.Pipeline.Timeline!;
            var seconds = Measured.TotalSeconds;
            return new VariantResult
            {
                Name = variant.Name,
                ModelName = bundle.Name,
                ModelPath = bundle.Directory,
                Sha256 = bundle.Sha256,
                Precision = bundle.Precision,
                Ep = Assembled.Session.Report.Active,
                SessionCreateMs = Assembled.Session.CreationTime.TotalMilliseconds,
                FirstInferenceMs = Assembled.FirstInferenceMs,
                Frames = Offered,
                Published = stats.Published,
                Dropped = Overwritten + stats.DroppedStale,
                Skipped = stats.Skipped,
                Late = stats.Late,
                Withheld = stats.Withheld,
                Cancelled = stats.Cancelled,
                Missed = stats.Missed,
                Degradations = stats.Degradations,
                EndToEnd = LatencySummary.Of(stats.EndToEnd),
                Bare = LatencySummary.Of(Bare),
                Stages = Enum.GetValues<PipelineStage>().ToDictionary(stage => stage, stage => LatencySummary.Of(stats.Stage(stage))),
                CancelDelay = LatencySummary.Of(stats.CancelDelay),
                StageSamples = Enum.GetValues<PipelineStage>().ToDictionary(stage => stage, stage => (IReadOnlyList<double>)stats.Stage(stage).Samples().ToArray()),
                EndToEndSamples = stats.EndToEnd.Samples().ToArray(),
                BareSamples = Bare.Samples().ToArray(),
                IntervalStdDevMs = IntervalStdDev(timeline, BlockStarts),
                Fps = seconds > 0 ? stats.Published / seconds : 0,
                MeasuredSeconds = seconds,
                AllocBytesPerFrame = Offered == 0 ? 0 : (double)AllocatedBytes / Offered,
                Gen0 = Gen0,
                Gen1 = Gen1,
                Gen2 = Gen2,
                GcPauseMs = GcPause.TotalMilliseconds,
                CpuPercent = seconds > 0 ? 100 * Cpu.TotalSeconds / seconds : 0,
                Timeline = timeline,
                BlockStarts = BlockStarts,
                BudgetMs = budgetMs,
            };
        }

        public void Dispose() => Assembled?.Dispose();

        private static double IntervalStdDev(FrameTimeline timeline, List<int> blockStarts)
        {
            var intervals = new List<double>();
            for (var block = 0; block < blockStarts.Count; block++)
            {
                var end = block + 1 < blockStarts.Count ? blockStarts[block + 1] : timeline.Count;
                double? previous = null;
                for (var i = blockStarts[block]; i < end; i++)
                {
                    if (timeline.Outcome(i) is not (FrameOutcome.Published or FrameOutcome.PublishedLate))
                    {
                        continue;
                    }

                    var publishedAt = timeline.CapturedAt(i) * 1000.0 / Stopwatch.Frequency + timeline.EndToEndMs(i);
                    if (previous is { } p)
                    {
                        intervals.Add(publishedAt - p);
                    }

                    previous = publishedAt;
                }
            }

            return LatencySummary.Of(intervals.ToArray()).StdDev;
        }
    }
}
