using System.Diagnostics;
using Edge.Camera.Frames;
using Edge.Runtime.Options;
using Edge.Runtime.Pipeline;
using Edge.Runtime.Publishing;

namespace Edge.Tools.Benchmarking.Streams;

/// <summary>
/// One stream count of <c>edge bench --streams</c>: the run's assembled pipeline (one shared session, one lane per
/// stream), a <see cref="StreamPlayer"/> per stream and the <see cref="BatchScheduler"/> on the calling thread. Warms
/// up, measures bare batched inference, measures the pipeline, then bare inference again, so drift hits both sides.
/// </summary>
internal sealed class StreamCountRun : IDisposable
{
    private static readonly TimeSpan WakeUp = TimeSpan.FromMilliseconds(50);

    private readonly StreamBenchOptions options;
    private readonly int count;
    private readonly FrameSignal signal = new();
    private readonly List<StreamPlayer> players = [];
    private readonly AssembledPipeline assembled;
    private readonly BatchScheduler scheduler;
    private readonly LatencyRecorder[] bare;

    public StreamCountRun(StreamBenchOptions options, int count, IReadOnlyList<IReadOnlyList<Frame>> playback)
    {
        this.options = options;
        this.count = count;
        var bench = options.Bench;
        var variant = bench.Variants[0];
        var settings = BenchRunner.SettingsOf(bench, variant) with
        {
            Source = StreamBenchOptions.SourceOf(bench.Source, 0),
            Streams = [.. Enumerable.Range(0, count).Select(i => new StreamOptions { Id = $"s{i}", Source = StreamBenchOptions.SourceOf(bench.Source, i) })],
            MaxBatch = options.MaxBatch,
            MaxStreams = options.MaxStreams,
        };
        settings.Validate();
        assembled = AssembledPipeline.Create(settings, [new DiscardingOutput()], TimeProvider.System, new PipelineExtras { StageDelay = bench.Delay });
        try
        {
            var streams = new List<ScheduledStream>();
            for (var i = 0; i < count; i++)
            {
                var player = new StreamPlayer(i, playback[i], options.RateOf(i), signal);
                players.Add(player);
                streams.Add(new ScheduledStream(player.Slot, assembled.Streams[i].Lanes));
            }

            scheduler = new BatchScheduler(streams, signal, TimeProvider.System);
            bare = [.. Enumerable.Range(0, Session.MaxBatch).Select(_ => new LatencyRecorder(Math.Max(16, options.BareRuns)))];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public AssembledPipeline Assembled => assembled;

    private Edge.Runtime.Inference.ModelSession Session => assembled.Session;

    public StreamCountResult Run(CancellationToken cancellationToken)
    {
        scheduler.WarmUp();
        foreach (var player in players)
        {
            player.Start();
        }

        var bench = options.Bench;
        Serve(bench.WarmUpFrames * (long)count, WarmUpSeconds(), stopPlayers: false, cancellationToken);
        RunBare(options.BareRuns / 2);

        // Frames that waited (or went stale) during the bare runs are served before measuring.
        Serve(scheduler.Published + count, 5, stopPlayers: false, cancellationToken);
        foreach (var lane in assembled.Lanes)
        {
            lane.ResetStats();
        }

        GcTuning.SettleBeforeSteadyState();
        var workingSetMb = System.Environment.WorkingSet / (1024.0 * 1024.0);
        var before = Snapshot();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var cpu = System.Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        Serve(options.Paced || bench.DurationSeconds is not null ? long.MaxValue : bench.Frames * count, MeasuredSeconds(), stopPlayers: true, cancellationToken);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuSeconds = (System.Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        var (gen0After, gen1After, gen2After) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var batchSizes = BatchSizes(before);
        RunBare(options.BareRuns - (options.BareRuns / 2));

        var streams = new List<StreamResult>();
        long played = 0, playerAllocated = 0;
        for (var i = 0; i < count; i++)
        {
            var frames = players[i].Played - before.Played[i];
            played += frames;
            playerAllocated += players[i].AllocatedBytes;
            streams.Add(StreamOf(i, frames, players[i].Slot.Overwritten - before.Overwritten[i], elapsed));
        }

        return new StreamCountResult
        {
            StreamCount = count,
            MaxBatch = Session.MaxBatch,
            Streams = streams,
            BatchSizes = [.. batchSizes.Select(b => b with { Bare = LatencySummary.Of(bare[b.Size - 1]) })],
            MeasuredSeconds = elapsed,
            EndToEnd = LatencySummary.Of([.. assembled.Lanes.SelectMany(lane => lane.Stats.EndToEnd.Samples().ToArray())]),
            AllocBytesPerFrame = played == 0 ? 0 : (double)allocated / played,
            PlayerAllocBytesPerFrame = played == 0 ? 0 : (double)playerAllocated / played,
            Gen0 = gen0After - gen0,
            Gen1 = gen1After - gen1,
            Gen2 = gen2After - gen2,
            CpuPercent = elapsed > 0 ? 100 * cpuSeconds / elapsed : 0,
            WorkingSetMb = workingSetMb,
        };
    }

    public void Dispose()
    {
        foreach (var player in players)
        {
            player.Dispose();
        }

        scheduler?.Dispose();
        assembled?.Dispose();
        signal.Dispose();
    }

    /// <summary>
    /// Runs batches until <paramref name="published"/> label sets in all (since the last reset) or
    /// <paramref name="seconds"/> have passed; with <paramref name="stopPlayers"/> the players then stop and every
    /// stream is drained to its end. Nothing here allocates per frame.
    /// </summary>
    private void Serve(long published, double seconds, bool stopPlayers, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(Math.Min(seconds, 86_400) * Stopwatch.Frequency);
        var stopping = false;
        while (true)
        {
            if (!stopping && (cancellationToken.IsCancellationRequested || scheduler.Published >= published || Stopwatch.GetTimestamp() >= until))
            {
                if (!stopPlayers)
                {
                    return;
                }

                stopping = true;
                foreach (var player in players)
                {
                    player.Stop();
                }
            }

            if (scheduler.RunOnce(out var open))
            {
                continue;
            }

            if (open == 0)
            {
                return;
            }

            signal.Wait(WakeUp, CancellationToken.None);
        }
    }

    /// <summary>Bare batched inference of every batch size the session takes, on the rows the pipeline last preprocessed.</summary>
    private void RunBare(int runs)
    {
        for (var size = 1; size <= Session.MaxBatch; size++)
        {
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                Session.Run(size);
                bare[size - 1].Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private double WarmUpSeconds()
    {
        var slowest = Enumerable.Range(0, count).Select(options.RateOf).Where(rate => rate > 0).DefaultIfEmpty(0).Min();
        return slowest > 0 ? 2 + (2.0 * options.Bench.WarmUpFrames / slowest) : 120;
    }

    /// <summary>The measured window: --duration, else (all paced) --frames at the fastest stream's rate, else until --frames per stream are published.</summary>
    private double MeasuredSeconds()
    {
        if (options.Bench.DurationSeconds is { } seconds)
        {
            return seconds;
        }

        return options.Paced ? options.Bench.Frames / Enumerable.Range(0, count).Max(options.RateOf) : double.PositiveInfinity;
    }

    private StreamResult StreamOf(int index, long frames, long overwritten, double seconds)
    {
        var lane = assembled.Streams[index].Lanes[0];
        var stats = lane.Stats;
        return new StreamResult
        {
            Id = assembled.Streams[index].Id,
            Source = Edge.Camera.Sources.SourceSpec.MaskCredentials(assembled.Streams[index].Options.Source),
            Rate = options.RateOf(index),
            Frames = frames,
            Published = stats.Published,
            Overwritten = overwritten,
            DroppedStale = stats.DroppedStale,
            PredictedMisses = stats.PredictedMisses,
            Missed = stats.Missed,
            Fps = seconds > 0 ? stats.Published / seconds : 0,
            EndToEnd = LatencySummary.Of(stats.EndToEnd),
            BudgetMs = lane.Budget.BudgetMs,
        };
    }

    private sealed record Counters(long[] Played, long[] Overwritten, long[] Batches, double[] PredictedSum, double[] ActualSum);

    private Counters Snapshot()
    {
        var sizes = Session.MaxBatch;
        var batches = new long[sizes];
        var predicted = new double[sizes];
        var actual = new double[sizes];
        for (var size = 1; size <= sizes; size++)
        {
            batches[size - 1] = scheduler.Batches(0, size);
            var (p, a) = scheduler.BatchLatency(0, size);
            predicted[size - 1] = batches[size - 1] == 0 ? 0 : p * batches[size - 1];
            actual[size - 1] = batches[size - 1] == 0 ? 0 : a * batches[size - 1];
        }

        return new Counters([.. players.Select(p => p.Played)], [.. players.Select(p => p.Slot.Overwritten)], batches, predicted, actual);
    }

    /// <summary>The measured window's batches per size: the counters now less those at its start.</summary>
    private List<BatchSizeResult> BatchSizes(Counters before)
    {
        var now = Snapshot();
        var sizes = new List<BatchSizeResult>();
        for (var size = 1; size <= Session.MaxBatch; size++)
        {
            var batches = now.Batches[size - 1] - before.Batches[size - 1];
            sizes.Add(new BatchSizeResult
            {
                Size = size,
                Batches = batches,
                PredictedMs = batches == 0 ? double.NaN : (now.PredictedSum[size - 1] - before.PredictedSum[size - 1]) / batches,
                ActualMs = batches == 0 ? double.NaN : (now.ActualSum[size - 1] - before.ActualSum[size - 1]) / batches,
                Bare = LatencySummary.Empty,
            });
        }

        return sizes;
    }
}
