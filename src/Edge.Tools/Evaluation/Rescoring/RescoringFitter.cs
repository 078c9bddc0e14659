using Edge.Runtime.Decoding;
using Edge.Tools.Evaluation.Datasets;

namespace Edge.Tools.Evaluation.Rescoring;

/// <summary>One point of the search: a graph direction and α, with the validation mAP and OF1 they give.</summary>
public sealed record RescoringCandidate(LabelGraphEdges Direction, double Alpha, double MeanAp, double OF1);

/// <summary>
/// The chosen correction: <see cref="Matrix"/> (row-major labels × labels) and <see cref="Bias"/>, rounded as they are
/// written into the manifest, and the validation metrics without and with it (at the bundle's thresholds).
/// </summary>
public sealed record RescoringFit(
    LabelGraph Graph,
    double Alpha,
    double[] Matrix,
    double[] Bias,
    MetricsReport Before,
    MetricsReport After,
    ScoreMatrix Rescored,
    IReadOnlyList<RescoringCandidate> Candidates)
{
    /// <summary>False when no α ≠ 0 beat the model's own logits on validation mAP: there is nothing worth applying.</summary>
    public bool Helps => Alpha != 0;

    /// <summary>The correction as the runtime applies it (what loading the written manifest gives).</summary>
    public LogitRescoring ToRescoring() => new([.. Matrix.Select(value => (float)value)], [.. Bias.Select(value => (float)value)]);
}

/// <summary>
/// Chooses the label graph's direction and strength α on validation data by mean average precision, a grid search over
/// <see cref="Alphas"/> (a tie goes to the smaller |α|). The best candidate is taken only when it beats the model
/// alone (α = 0) by at least <see cref="MinimumGain"/>: a smaller gain is within the noise of a validation set of a
/// few thousand images, and a correction that does not clearly help only adds a way to fail on scenes unlike the
/// training data. A per-label bias cannot change mAP (it moves all of a label's scores alike), so it is set
/// in closed form instead: b = −M·μ, μ the mean validation logit per label, which keeps every label's mean logit where
/// it was: thresholds chosen for the model alone stay about right (re-tune them on the re-scored scores to be exact).
/// </summary>
public static class RescoringFitter
{
    /// <summary>Validation mAP points a correction must add to be chosen.</summary>
    public const double MinimumGain = 0.1;

    /// <summary>Decimals kept in the manifest's matrix and bias.</summary>
    public const int Decimals = 6;

    /// <summary>α from −1 to 2 in steps of 0.05. With p = 0.2 a label's neighbours weigh at most 0.4 in its logit.</summary>
    public static IReadOnlyList<double> Alphas { get; } = [.. Enumerable.Range(-20, 61).Select(step => step / 20.0)];

    /// <param name="logits">Validation scores of a logits model without re-scoring (<see cref="Evaluator.Run"/> with applyRescoring false).</param>
    /// <param name="graphs">The label graphs to choose among (one per direction), over the same labels.</param>
    /// <param name="thresholds">The bundle's on thresholds, for the OF1 shown next to mAP.</param>
    public static RescoringFit Fit(ScoreMatrix logits, IReadOnlyList<LabelGraph> graphs, IReadOnlyList<double> thresholds)
    {
        var before = MultiLabelMetrics.Compute(logits, thresholds);
        if (double.IsNaN(before.MeanAp))
        {
            throw new DatasetException("the validation data has no positive label at all: expected images with labels to measure mAP on");
        }

        var means = MeanLogits(logits);
        var candidates = new List<RescoringCandidate>();
        var best = (Graph: graphs[0], Alpha: 0.0, MeanAp: before.MeanAp);
        foreach (var alpha in Alphas.OrderBy(Math.Abs))
        {
            foreach (var graph in graphs)
            {
                if (graph.Labels.Count != logits.LabelCount)
                {
                    throw new ArgumentException($"a graph of {graph.Labels.Count} labels for scores of {logits.LabelCount}", nameof(graphs));
                }

                var (matrix, bias) = Rounded(graph, alpha, means);
                var metrics = alpha == 0 ? before : MultiLabelMetrics.Compute(Evaluator.Rescore(logits, Rescoring(matrix, bias)), thresholds);
                candidates.Add(new RescoringCandidate(graph.Direction, alpha, metrics.MeanAp, metrics.OF1));
                if (metrics.MeanAp > best.MeanAp + 1e-9)
                {
                    best = (graph, alpha, metrics.MeanAp);
                }
            }
        }

        if (best.MeanAp < before.MeanAp + MinimumGain)
        {
            best = (best.Graph, 0, before.MeanAp);
        }

        var (chosenMatrix, chosenBias) = Rounded(best.Graph, best.Alpha, means);
        var rescored = Evaluator.Rescore(logits, Rescoring(chosenMatrix, chosenBias));
        var after = best.Alpha == 0 ? before : MultiLabelMetrics.Compute(rescored, thresholds);
        return new RescoringFit(best.Graph, best.Alpha, chosenMatrix, chosenBias, before, after, best.Alpha == 0 ? logits : rescored, candidates);
    }

    /// <summary>M = α·offdiag(A') and b = −M·μ, rounded to <see cref="Decimals"/> as the manifest will hold them.</summary>
    private static (double[] Matrix, double[] Bias) Rounded(LabelGraph graph, double alpha, double[] means)
    {
        var count = means.Length;
        var matrix = graph.Correction(alpha).Select(value => Round(value)).ToArray();
        var bias = new double[count];
        for (var i = 0; i < count; i++)
        {
            var shift = 0.0;
            for (var j = 0; j < count; j++)
            {
                shift += matrix[(i * count) + j] * means[j];
            }

            bias[i] = Round(-shift);
        }

        return (matrix, bias);
    }

    private static double Round(double value)
    {
        var rounded = Math.Round(value, Decimals);
        return rounded == 0 ? 0 : rounded; // no -0 in the manifest
    }

    private static LogitRescoring Rescoring(double[] matrix, double[] bias) =>
        new([.. matrix.Select(value => (float)value)], [.. bias.Select(value => (float)value)]);

    private static double[] MeanLogits(ScoreMatrix logits)
    {
        var count = logits.LabelCount;
        var means = new double[count];
        for (var cell = 0; cell < logits.RankScores.Length; cell++)
        {
            means[cell % count] += logits.RankScores[cell];
        }

        for (var label = 0; label < count; label++)
        {
            means[label] /= logits.ImageCount;
        }

        return means;
    }
}
