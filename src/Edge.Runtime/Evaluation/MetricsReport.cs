namespace Edge.Runtime.Evaluation;

/// <summary>One label's results, in percent; <see cref="Ap"/> is NaN when the label has no positives.</summary>
public sealed record LabelMetrics(string Label, double Ap, double Precision, double Recall, double F1, int Support);

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
    double CF1Top3,
    double OF1Top3,
    double HammingLoss,
    double SubsetAccuracy,
    double ExampleF1,
    IReadOnlyList<string> SkippedLabels,
    IReadOnlyList<LabelMetrics> PerLabel);
