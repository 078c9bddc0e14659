using System.Diagnostics;
using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;
using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

/// <summary>Hand-made bench results for report tests: plausible latencies and every frame outcome, no model run.</summary>
internal static class SyntheticBench
{
    public const double BudgetMs = 20;

    public static BenchResult Result(IReadOnlyList<VariantResult> variants, PowerReport? power = null) => new()
    {
        Options = new BenchOptions
        {
            Variants = [.. variants.Select(v => new BenchVariant(v.Name, v.ModelPath, ExecutionProviderChoice.Cpu))],
            Source = "synthetic:gradient",
            Rate = 30,
            Frames = 200,
            BudgetMs = BudgetMs,
            MissPolicy = MissPolicy.Flag,
            StageBudgets = new StageBudgets { Inference = 15 },
        },
        Environment = HostEnvironment.Probe(),
        Variants = variants,
        Power = power,
        WallSeconds = 12.5,
        PeakRssMb = 321.4,
        FrameSize = (640, 480),
    };

    /// <summary>A variant whose inference takes about <paramref name="inferenceMs"/>, with a slow tail past the budget.</summary>
    public static VariantResult Variant(string name, double inferenceMs, int frames = 200, int seed = 1)
    {
        var random = new Random(seed);
        double[] Samples(double typical, int count) =>
            [.. Enumerable.Range(0, count).Select(i => typical * (0.8 + (0.4 * random.NextDouble())) * (i % 50 == 49 ? 4 : 1))];
        var stages = new Dictionary<PipelineStage, IReadOnlyList<double>>
        {
            [PipelineStage.Queue] = Samples(0.02, frames),
            [PipelineStage.Preprocess] = Samples(1.5, frames),
            [PipelineStage.Inference] = Samples(inferenceMs, frames),
            [PipelineStage.Decode] = Samples(0.05, frames),
            [PipelineStage.Publish] = Samples(0.1, frames),
        };
        var endToEnd = Enumerable.Range(0, frames).Select(i => stages.Values.Sum(s => s[i])).ToArray();
        var bare = Samples(inferenceMs * 0.9, frames);
        return Variant(name, stages, endToEnd, bare, Timeline(endToEnd), [0, frames / 2]);
    }

    /// <summary>A variant from a pipeline's real stats and timeline, and bare inference samples.</summary>
    public static VariantResult FromRun(string name, PipelineStats stats, FrameTimeline timeline, double[] bare, double budgetMs) => Variant(
        name,
        Enum.GetValues<PipelineStage>().ToDictionary(stage => stage, stage => (IReadOnlyList<double>)stats.Stage(stage).Samples().ToArray()),
        stats.EndToEnd.Samples().ToArray(),
        bare,
        timeline,
        [0],
        budgetMs);

    /// <summary>A variant that measured nothing: empty samples, NaN summaries, an empty timeline.</summary>
    public static VariantResult Empty(string name) => Variant(
        name,
        Enum.GetValues<PipelineStage>().ToDictionary(stage => stage, _ => (IReadOnlyList<double>)[]),
        [],
        [],
        new FrameTimeline(1),
        []);

    private static VariantResult Variant(
        string name,
        Dictionary<PipelineStage, IReadOnlyList<double>> stages,
        double[] endToEnd,
        double[] bare,
        FrameTimeline timeline,
        IReadOnlyList<int> blockStarts,
        double budgetMs = BudgetMs)
    {
        var e2e = LatencySummary.Of(endToEnd);
        return new VariantResult
        {
            Name = name,
            ModelName = "mobilenet-" + name,
            ModelPath = "models/" + name,
            Sha256 = "0123456789abcdef",
            Precision = "fp32",
            Ep = "cpu",
            SessionCreateMs = 150.5,
            FirstInferenceMs = 42.3,
            Frames = endToEnd.Length,
            Published = endToEnd.Count(ms => ms <= BudgetMs),
            Dropped = 3,
            Skipped = 1,
            Late = endToEnd.Count(ms => ms > BudgetMs),
            Withheld = 1,
            Cancelled = 2,
            Missed = endToEnd.Count(ms => ms > BudgetMs) + 3,
            Degradations = 0,
            EndToEnd = e2e,
            Bare = LatencySummary.Of(bare),
            Stages = stages.ToDictionary(stage => stage.Key, stage => LatencySummary.Of([.. stage.Value])),
            CancelDelay = endToEnd.Length == 0 ? LatencySummary.Empty : LatencySummary.Of([0.4, 0.6]),
            StageSamples = stages,
            EndToEndSamples = endToEnd,
            BareSamples = bare,
            IntervalStdDevMs = endToEnd.Length == 0 ? double.NaN : 1.25,
            Fps = endToEnd.Length == 0 ? 0 : 29.5,
            MeasuredSeconds = endToEnd.Length / 30.0,
            AllocBytesPerFrame = 12.5,
            Gen0 = 1,
            Gen1 = 0,
            Gen2 = 0,
            GcPauseMs = 0.75,
            CpuPercent = 87.5,
            Timeline = timeline,
            BlockStarts = blockStarts,
            BudgetMs = budgetMs,
        };
    }

    /// <summary>Frames 33 ms apart; a few of them dropped, skipped, withheld or cancelled, the rest published on time or late.</summary>
    private static FrameTimeline Timeline(double[] endToEnd)
    {
        var timeline = new FrameTimeline(endToEnd.Length);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < endToEnd.Length; i++)
        {
            var captured = start + (i * Stopwatch.Frequency / 30);
            var outcome = (i % 40) switch
            {
                10 => FrameOutcome.DroppedStale,
                20 => FrameOutcome.Skipped,
                30 => FrameOutcome.Withheld,
                39 => FrameOutcome.Cancelled,
                _ => endToEnd[i] > BudgetMs ? FrameOutcome.PublishedLate : FrameOutcome.Published,
            };
            var latency = outcome switch
            {
                FrameOutcome.DroppedStale or FrameOutcome.Skipped => double.NaN,
                FrameOutcome.Cancelled => BudgetMs + 0.5,
                _ => endToEnd[i],
            };
            timeline.Record(captured, latency, outcome);
        }

        return timeline;
    }
}
