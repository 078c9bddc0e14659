namespace Edge.Tools.Evaluation;

/// <summary>One label's results, in percent; <see cref="Ap"/> is NaN when the label has no positives.</summary>
public sealed record LabelMetrics(string Label, double Ap, double Precision, double Recall, double F1, int Support);

/// <summary>
/// CP, CR, CF1, OP, OR, OF1 with at most the image's 3 highest-scoring labels predicted, in percent. As in ML-GCN's
/// reference code, the recalls divide the capped hits by all positives (OR = ΣNc/ΣNg with Nc counted under the cap).
/// </summary>
public sealed record Top3Metrics(double CP, double CR, double CF1, double OP, double OR, double OF1);

/// <summary>
/// Multi-label metrics as the MLIC literature's reference code (ML-GCN, ASL) reports them, in percent.
/// Hamming loss is a fraction of label cells, also in percent.
/// </summary>
public sealed record MetricsReport(
    int Images,
    double MeanAp,
    double CP,
    double CR,
    double CF1,
    double OP,
    double OR,
    double OF1,
    Top3Metrics Top3,
    double HammingLoss,
    double SubsetAccuracy,
    double ExampleF1,
    IReadOnlyList<string> SkippedLabels,
    IReadOnlyList<LabelMetrics> PerLabel);
