using Edge.Runtime.Budget;
using Edge.Runtime.Inference;
using Edge.Runtime.Pipeline;

namespace Edge.Tools.Benchmarking;

/// <summary>One configuration under test: a bundle on an execution provider.</summary>
/// <param name="Name">As given on the command line (<c>MODEL[@EP]</c>), unique in a run.</param>
public sealed record BenchVariant(string Name, string Model, ExecutionProviderChoice Ep)
{
    /// <summary>
    /// Parses <c>--compare</c>: comma-separated <c>MODEL[@EP]</c> items, where MODEL is a bundle folder (empty: the
    /// default model) and EP one of auto, tensorrt, cuda, cpu (default: <paramref name="defaultEp"/>).
    /// </summary>
    public static IReadOnlyList<BenchVariant> ParseList(string text, string defaultModel, ExecutionProviderChoice defaultEp)
    {
        var variants = new List<BenchVariant>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0)
            {
                throw new FormatException($"--compare '{text}' has an empty item: expected MODEL[@EP],MODEL[@EP],...");
            }

            var at = item.LastIndexOf('@');
            var model = at < 0 ? item : item[..at];
            var ep = defaultEp;
            if (at >= 0)
            {
                try
                {
                    ep = ExecutionProviderNames.Parse(item[(at + 1)..]);
                }
                catch (ArgumentException)
                {
                    throw new FormatException($"--compare item '{item}' names execution provider '{item[(at + 1)..]}': expected auto, tensorrt, cuda or cpu after @");
                }
            }

            if (variants.Any(v => v.Name == item))
            {
                throw new FormatException($"--compare names '{item}' twice: expected each configuration once");
            }

            variants.Add(new BenchVariant(item, model.Length == 0 ? defaultModel : model, ep));
        }

        if (variants.Count < 2)
        {
            throw new FormatException($"--compare '{text}' names one configuration: expected two or more, comma-separated");
        }

        return variants;
    }
}

/// <summary>What <c>edge bench</c> runs and how (validated by the command).</summary>
public sealed record BenchOptions
{
    public required IReadOnlyList<BenchVariant> Variants { get; init; }

    public required string Source { get; init; }

    public string? FashionMnistFolder { get; init; }

    /// <summary>Frames per second offered; 0 for <c>--rate max</c> (the next frame as soon as the last is done).</summary>
    public double Rate { get; init; }

    /// <summary>Measured frames per variant (ignored when <see cref="DurationSeconds"/> is set).</summary>
    public long Frames { get; init; } = 1000;

    /// <summary>Measured wall time, all variants together, instead of a frame count.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Frames per variant run before measuring (their latency is not counted).</summary>
    public int WarmUpFrames { get; init; } = 50;

    /// <summary>Frames per block: variants and bare inference take turns every block, so drift hits all alike.</summary>
    public int BlockFrames { get; init; } = 25;

    /// <summary>Distinct frames read from the source before measuring and played in a loop.</summary>
    public int PlaybackFrames { get; init; } = 64;

    public double BudgetMs { get; init; } = 100;

    public MissPolicy MissPolicy { get; init; } = MissPolicy.Flag;

    public StageBudgets StageBudgets { get; init; } = StageBudgets.None;

    public DegradeOptions Degrade { get; init; } = new();

    public int Threads { get; init; }

    public CpuSpin CpuSpin { get; init; }

    public InjectedDelay? Delay { get; init; }
}
