namespace Edge.Tools.Benchmarking.Streams;

/// <summary>One stream's measurements in a multi-stream bench (warm-up excluded).</summary>
public sealed record StreamResult
{
    public required string Id { get; init; }

    public required string Source { get; init; }

    /// <summary>Frames per second offered, 0 for as fast as taken.</summary>
    public required double Rate { get; init; }

    /// <summary>Frames handed to the stream's slot.</summary>
    public required long Frames { get; init; }

    public required long Published { get; init; }

    /// <summary>Overwritten in the slot before the scheduler took them (rated streams only).</summary>
    public required long Overwritten { get; init; }

    /// <summary>Given up before any work: past their deadline when their turn came, or predicted to miss it (<see cref="PredictedMisses"/>, counted here too).</summary>
    public required long DroppedStale { get; init; }

    public required long PredictedMisses { get; init; }

    /// <summary>Processed but past the budget (published late, withheld or cancelled).</summary>
    public required long Missed { get; init; }

    /// <summary>Every frame that did not make its deadline: <see cref="DroppedStale"/> + <see cref="Missed"/>.</summary>
    public long Misses => DroppedStale + Missed;

    /// <summary>Published label sets per second of the measured window.</summary>
    public required double Fps { get; init; }

    public required LatencySummary EndToEnd { get; init; }

    public required double BudgetMs { get; init; }
}

/// <summary>Batches of one size on the model's session: how many, the latency predicted and measured, and bare inference of that size.</summary>
public sealed record BatchSizeResult
{
    public required int Size { get; init; }

    /// <summary>Completed batches of this size in the measured window.</summary>
    public required long Batches { get; init; }

    /// <summary>Mean latency the scheduler predicted when forming them, ms (NaN when none ran).</summary>
    public required double PredictedMs { get; init; }

    /// <summary>Mean measured latency from first preprocess to last decode, ms (NaN when none ran).</summary>
    public required double ActualMs { get; init; }

    /// <summary>Bare <c>Run(size)</c> on the session's preprocessed input, in the same run.</summary>
    public required LatencySummary Bare { get; init; }

    /// <summary>Frames per second bare inference of this size sustains, from its median (a neighbour's burst on a shared machine skews a mean of few runs).</summary>
    public double BareFps => Bare.Count == 0 ? double.NaN : Size * 1000.0 / Bare.P50;
}

/// <summary>One stream count's run: every stream, the aggregate and the batching.</summary>
public sealed record StreamCountResult
{
    public required int StreamCount { get; init; }

    /// <summary>The session's batch limit: max_batch (or the bundle's maximum), at most the stream count.</summary>
    public required int MaxBatch { get; init; }

    public required IReadOnlyList<StreamResult> Streams { get; init; }

    public required IReadOnlyList<BatchSizeResult> BatchSizes { get; init; }

    public required double MeasuredSeconds { get; init; }

    /// <summary>End-to-end latency of every stream's published frames together.</summary>
    public required LatencySummary EndToEnd { get; init; }

    /// <summary>Bytes allocated on the frame thread (the scheduler's) per frame handed over, measured window only.</summary>
    public required double AllocBytesPerFrame { get; init; }

    /// <summary>Bytes the players (the cameras' stand-ins) allocated per frame handed over.</summary>
    public required double PlayerAllocBytesPerFrame { get; init; }

    public required int Gen0 { get; init; }

    public required int Gen1 { get; init; }

    public required int Gen2 { get; init; }

    public required double CpuPercent { get; init; }

    /// <summary>Process working set after warm-up, MB (sessions and per-stream buffers allocated).</summary>
    public required double WorkingSetMb { get; init; }

    public long Published => Streams.Sum(s => s.Published);

    public long Misses => Streams.Sum(s => s.Misses);

    /// <summary>Published label sets per second, all streams together.</summary>
    public double AggregateFps => MeasuredSeconds > 0 ? Published / MeasuredSeconds : 0;

    /// <summary>
    /// Highest over lowest per-stream published rate, each taken relative to its offered rate where streams are paced
    /// (so 30 and 15 fps streams publishing all their frames are fair); 1 is perfectly fair, infinity when a stream published nothing.
    /// </summary>
    public double Fairness
    {
        get
        {
            var shares = Streams.Select(s => s.Rate > 0 ? s.Fps / s.Rate : s.Fps).ToList();
            var min = shares.Min();
            return min > 0 ? shares.Max() / min : double.PositiveInfinity;
        }
    }

    /// <summary>
    /// Frames per second bare batched inference sustains with the same mix of batch sizes as the pipeline ran (the
    /// batches of each size times their bare median); NaN when no batch completed.
    /// </summary>
    public double BareFps
    {
        get
        {
            double frames = 0, ms = 0;
            foreach (var size in BatchSizes.Where(b => b.Batches > 0 && b.Bare.Count > 0))
            {
                frames += size.Batches * size.Size;
                ms += size.Batches * size.Bare.P50;
            }

            return ms > 0 ? frames * 1000.0 / ms : double.NaN;
        }
    }

    /// <summary>Pipeline aggregate throughput over bare batched throughput at the same batch sizes: 1 means no overhead.</summary>
    public double ThroughputRatio => AggregateFps / BareFps;
}

/// <summary>A whole <c>edge bench --streams</c> run: one result per stream count, in the order run.</summary>
public sealed record StreamBenchResult
{
    public required StreamBenchOptions Options { get; init; }

    public required HostEnvironment Environment { get; init; }

    public required string ModelName { get; init; }

    public required string ModelPath { get; init; }

    public required string Sha256 { get; init; }

    public required string Precision { get; init; }

    public required string Ep { get; init; }

    /// <summary>The bundle's largest batch (its manifest's batch.max).</summary>
    public required int BundleMaxBatch { get; init; }

    public required IReadOnlyList<StreamCountResult> Counts { get; init; }

    public required double WallSeconds { get; init; }

    public required double PeakRssMb { get; init; }

    public required (int Width, int Height) FrameSize { get; init; }
}
