using Edge.Runtime.Budget;
using Edge.Runtime.Pipeline;

namespace Edge.Tools.Benchmarking;

/// <summary>The measurements of one variant (warm-up excluded).</summary>
public sealed record VariantResult
{
    public required string Name { get; init; }

    public required string ModelName { get; init; }

    public required string ModelPath { get; init; }

    public required string Sha256 { get; init; }

    public required string Precision { get; init; }

    public required string Ep { get; init; }

    public required double SessionCreateMs { get; init; }

    public required double FirstInferenceMs { get; init; }

    /// <summary>Frames handed to the pipeline.</summary>
    public required long Frames { get; init; }

    public required long Published { get; init; }

    /// <summary>Never processed: overwritten in the hand-off by a newer frame, or stale when the pipeline reached them.</summary>
    public required long Dropped { get; init; }

    public required long Skipped { get; init; }

    public required long Late { get; init; }

    public required long Withheld { get; init; }

    public required long Cancelled { get; init; }

    public required long Missed { get; init; }

    public required long Degradations { get; init; }

    public required LatencySummary EndToEnd { get; init; }

    public required LatencySummary Bare { get; init; }

    public required IReadOnlyDictionary<PipelineStage, LatencySummary> Stages { get; init; }

    public required LatencySummary CancelDelay { get; init; }

    // The raw samples behind the summaries, for the report's distributions. Not required, so that results built
    // without them (tests, older callers) still compile: the report then says there are no samples.

    /// <summary>Kept latency samples per stage in milliseconds (the most recent ones where more were recorded).</summary>
    public IReadOnlyDictionary<PipelineStage, IReadOnlyList<double>> StageSamples { get; init; } = new Dictionary<PipelineStage, IReadOnlyList<double>>();

    public IReadOnlyList<double> EndToEndSamples { get; init; } = [];

    public IReadOnlyList<double> BareSamples { get; init; } = [];

    /// <summary>Standard deviation of the time between consecutive published label sets, within blocks.</summary>
    public required double IntervalStdDevMs { get; init; }

    /// <summary>Published label sets per second of this variant's measured time.</summary>
    public required double Fps { get; init; }

    public required double MeasuredSeconds { get; init; }

    /// <summary>Bytes allocated on the frame path's threads (pipeline and player) per frame handed over.</summary>
    public required double AllocBytesPerFrame { get; init; }

    public required int Gen0 { get; init; }

    public required int Gen1 { get; init; }

    public required int Gen2 { get; init; }

    public required double GcPauseMs { get; init; }

    /// <summary>Process CPU time over this variant's measured time, in percent of one core.</summary>
    public required double CpuPercent { get; init; }

    public required FrameTimeline Timeline { get; init; }

    /// <summary>First index of every block in <see cref="Timeline"/>.</summary>
    public required IReadOnlyList<int> BlockStarts { get; init; }

    /// <summary>The end-to-end budget the frames ran under (a stale frame was at least this old).</summary>
    public required double BudgetMs { get; init; }

    /// <summary>End-to-end over bare inference on like-for-like samples: frames given up at the deadline count on both sides.</summary>
    public OverheadEstimate Overhead => field ??= OverheadEstimate.Of(Timeline, BareSamples, BudgetMs);

    public double OverheadRatioP50 => Overhead.RatioP50;

    public double OverheadRatioP99 => Overhead.RatioP99;
}

/// <summary>A whole <c>edge bench</c> run.</summary>
public sealed record BenchResult
{
    public required BenchOptions Options { get; init; }

    public required HostEnvironment Environment { get; init; }

    public required IReadOnlyList<VariantResult> Variants { get; init; }

    /// <summary>Board power over the measured phase (Jetson INA3221 rails), null where there are none.</summary>
    public PowerReport? Power { get; init; }

    public required double WallSeconds { get; init; }

    public required double PeakRssMb { get; init; }

    /// <summary>Source frame size played (width x height).</summary>
    public required (int Width, int Height) FrameSize { get; init; }

    public MissPolicy MissPolicy => Options.MissPolicy;
}
