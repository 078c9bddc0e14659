namespace Edge.Tools.Evaluation.Robustness;

/// <summary>How far a family falls below the clean family, in percentage points: clean minus family, so a positive gap is a loss.</summary>
public sealed record MetricGap(double MeanAp, double OF1, double OR)
{
    public static MetricGap Between(MetricsReport clean, MetricsReport family) =>
        new(clean.MeanAp - family.MeanAp, clean.OF1 - family.OF1, clean.OR - family.OR);
}

/// <summary>One family's metrics at the manifest's thresholds and its gap to the clean family.</summary>
public sealed record FamilyResult(RobustnessFamily Family, EvaluationResult Evaluation, MetricGap Gap)
{
    public MetricsReport Metrics => Evaluation.Overall;
}

/// <summary>
/// The headline numbers of a robustness evaluation. The shifted means average the families whose images are shifted
/// away from the clean renders (<see cref="RobustnessFamily.IsShifted"/>): NaN when there are none, or when a family's
/// value is undefined (mAP of a family without positives). The worst family is the non-clean family (context families
/// included) with the lowest mAP, or null when there is none.
/// </summary>
public sealed record RobustnessSummary(
    MetricsReport Clean,
    int ShiftedFamilies,
    double ShiftedMeanAp,
    double ShiftedOF1,
    double ShiftedOR,
    MetricGap ShiftedGap,
    FamilyResult? Worst);

/// <summary>A model's metrics on every family of a <see cref="RobustnessSet"/>.</summary>
public sealed class RobustnessResult
{
    private RobustnessResult(RobustnessSet set, IReadOnlyList<FamilyResult> families)
    {
        Set = set;
        Families = families;
        Summary = Summarise(families);
    }

    public RobustnessSet Set { get; }

    /// <summary>The families in the set's order; the first is the clean one.</summary>
    public IReadOnlyList<FamilyResult> Families { get; }

    public RobustnessSummary Summary { get; }

    /// <summary>Pairs each family of <paramref name="set"/> with its evaluation (same order) and works out the gaps.</summary>
    public static RobustnessResult From(RobustnessSet set, IReadOnlyList<EvaluationResult> evaluations)
    {
        if (evaluations.Count != set.Families.Count)
        {
            throw new ArgumentException($"{evaluations.Count} evaluations for {set.Families.Count} families", nameof(evaluations));
        }

        var clean = evaluations[0].Overall;
        var families = set.Families
            .Select((family, index) => new FamilyResult(family, evaluations[index], MetricGap.Between(clean, evaluations[index].Overall)))
            .ToArray();
        return new RobustnessResult(set, families);
    }

    /// <summary>
    /// Every family's scores as one matrix (families in order, images in order within each): the validation mix that
    /// <c>--tune-thresholds</c> chooses thresholds on.
    /// </summary>
    public ScoreMatrix PooledScores()
    {
        var parts = Families.Select(family => family.Evaluation.Scores).ToArray();
        return new ScoreMatrix(
            parts[0].Labels,
            [.. parts.SelectMany(part => part.RankScores)],
            [.. parts.SelectMany(part => part.Probabilities)],
            [.. parts.SelectMany(part => part.Truth)],
            [.. parts.SelectMany(part => part.Ignored)]);
    }

    private static RobustnessSummary Summarise(IReadOnlyList<FamilyResult> families)
    {
        var clean = families[0].Metrics;
        var shifted = families.Where(family => family.Family.IsShifted).Select(family => family.Metrics).ToArray();
        var meanAp = Mean(shifted, m => m.MeanAp);
        var of1 = Mean(shifted, m => m.OF1);
        var or = Mean(shifted, m => m.OR);
        var worst = families
            .Skip(1)
            .Where(family => family.Family.Kind != FamilyKind.Clean && double.IsFinite(family.Metrics.MeanAp))
            .MinBy(family => family.Metrics.MeanAp);
        return new RobustnessSummary(clean, shifted.Length, meanAp, of1, or, new MetricGap(clean.MeanAp - meanAp, clean.OF1 - of1, clean.OR - or), worst);
    }

    private static double Mean(MetricsReport[] metrics, Func<MetricsReport, double> value) =>
        metrics.Length == 0 ? double.NaN : metrics.Average(value);
}
