namespace Edge.Tools.Evaluation;

/// <summary>A label's threshold before and after tuning, with its F1 (percent) on the tuning data at each.</summary>
public sealed record TunedThreshold(string Label, double Old, double New, double OldF1, double NewF1, int Positives);

/// <summary>
/// Chooses per-label thresholds on a (validation) dataset: for each label the threshold on a 0.01 grid in
/// [0.05, 0.95] that maximises its F1, shrunk toward one global threshold (the grid value maximising pooled OF1)
/// in proportion to how few positives the label has: t = (n·t_label + k·t_global) / (n + k) with k =
/// <see cref="PriorStrength"/>. A label with few positives has a noisy F1 optimum; the shrinkage keeps it sensible.
/// </summary>
public static class ThresholdTuner
{
    public const double PriorStrength = 20;
    private const int GridSteps = 91;

    public static IReadOnlyList<TunedThreshold> Tune(ScoreMatrix scores, IReadOnlyList<double> current)
    {
        var labelCount = scores.LabelCount;
        var pooledCorrect = new long[GridSteps];
        var pooledPredicted = new long[GridSteps];
        long pooledPositives = 0;
        var perLabel = new (int Correct, int Predicted, int Positives)[labelCount][];
        for (var label = 0; label < labelCount; label++)
        {
            perLabel[label] = new (int, int, int)[GridSteps];
            for (var step = 0; step < GridSteps; step++)
            {
                var counts = Counts(scores, label, Grid(step));
                perLabel[label][step] = counts;
                pooledCorrect[step] += counts.Correct;
                pooledPredicted[step] += counts.Predicted;
            }

            pooledPositives += perLabel[label][0].Positives;
        }

        var globalStep = ArgMax(step => F1(pooledCorrect[step], pooledPredicted[step], pooledPositives));
        var tuned = new List<TunedThreshold>(labelCount);
        for (var label = 0; label < labelCount; label++)
        {
            var table = perLabel[label];
            var positives = table[0].Positives;
            var oldCounts = Counts(scores, label, current[label]);
            var best = positives == 0 ? globalStep : ArgMax(step => F1(table[step].Correct, table[step].Predicted, positives));
            var shrunk = ((positives * Grid(best)) + (PriorStrength * Grid(globalStep))) / (positives + PriorStrength);
            var threshold = Math.Round(shrunk, 2);
            var newCounts = Counts(scores, label, threshold);
            tuned.Add(new TunedThreshold(
                scores.Labels[label],
                current[label],
                threshold,
                100 * F1(oldCounts.Correct, oldCounts.Predicted, positives),
                100 * F1(newCounts.Correct, newCounts.Predicted, positives),
                positives));
        }

        return tuned;
    }

    private static double Grid(int step) => Math.Round(0.05 + (0.01 * step), 2);

    private static int ArgMax(Func<int, double> value)
    {
        var best = 0;
        for (var step = 1; step < GridSteps; step++)
        {
            if (value(step) > value(best))
            {
                best = step;
            }
        }

        return best;
    }

    private static (int Correct, int Predicted, int Positives) Counts(ScoreMatrix scores, int label, double threshold)
    {
        int correct = 0, predicted = 0, positives = 0;
        for (var image = 0; image < scores.ImageCount; image++)
        {
            var cell = (image * scores.LabelCount) + label;
            if (scores.Ignored[cell])
            {
                continue;
            }

            var truth = scores.Truth[cell];
            var on = scores.Probabilities[cell] >= threshold;
            positives += truth ? 1 : 0;
            predicted += on ? 1 : 0;
            correct += truth && on ? 1 : 0;
        }

        return (correct, predicted, positives);
    }

    private static double F1(long correct, long predicted, long positives) =>
        predicted + positives == 0 ? 0 : 2.0 * correct / (predicted + positives);
}
