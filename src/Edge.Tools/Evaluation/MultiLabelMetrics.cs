namespace Edge.Tools.Evaluation;

/// <summary>
/// The scores, ground truth and "don't care" cells of an evaluation, image-major (<c>[image * labels + label]</c>).
/// <see cref="RankScores"/> order images per label (raw logits keep the order that float sigmoids would flatten
/// into ties); <see cref="Probabilities"/> are compared with the thresholds.
/// </summary>
public sealed record ScoreMatrix(
    IReadOnlyList<string> Labels,
    double[] RankScores,
    double[] Probabilities,
    bool[] Truth,
    bool[] Ignored)
{
    public int LabelCount => Labels.Count;

    public int ImageCount => Truth.Length / Labels.Count;
}

/// <summary>
/// Computes <see cref="MetricsReport"/>. Definitions (percent):
/// <list type="bullet">
/// <item>AP of a label: images sorted by descending score, ties kept in dataset order (a stable sort); the mean over
/// positives of the precision at each positive's rank. mAP averages AP over labels that have positives; labels without
/// positives are skipped and listed.</item>
/// <item>At the thresholds (prediction = probability ≥ threshold): per-label precision Nc/Np (0 when nothing is
/// predicted) and recall Nc/Ng; CP and CR average them over labels with positives; CF1 = 2·CP·CR/(CP+CR).
/// OP = ΣNc/ΣNp, OR = ΣNc/ΣNg over all labels, OF1 likewise. The top-3 variants (CP, CR, CF1, OP, OR, OF1) predict a
/// label only when it is above its threshold and among the image's 3 highest scores (ties by label order), and count
/// Nc and Np under that cap against the same Ng.</item>
/// <item>Hamming loss: wrong label cells / all cells; subset accuracy: images whose predicted set equals the truth;
/// example-based F1: mean over images of 2|P∩T|/(|P|+|T|), 1 when both are empty.</item>
/// </list>
/// Ignored cells (for example VOC "difficult"-only labels) take part in none of these.
/// </summary>
internal static class MultiLabelMetrics
{
    public static MetricsReport Compute(ScoreMatrix scores, IReadOnlyList<double> thresholds, IReadOnlyList<int>? images = null)
    {
        var labelCount = scores.LabelCount;
        if (thresholds.Count != labelCount)
        {
            throw new ArgumentException($"{thresholds.Count} thresholds for {labelCount} labels", nameof(thresholds));
        }

        var selected = images ?? Enumerable.Range(0, scores.ImageCount).ToArray();
        var predicted = new bool[scores.Truth.Length];
        var predictedTop3 = new bool[scores.Truth.Length];
        foreach (var image in selected)
        {
            Predict(scores, thresholds, image, predicted, predictedTop3);
        }

        var perLabel = new List<LabelMetrics>(labelCount);
        var skipped = new List<string>();
        double apSum = 0, precisionSum = 0, recallSum = 0, precisionTop3Sum = 0, recallTop3Sum = 0;
        long correct = 0, predictedCount = 0, positives = 0, correctTop3 = 0, predictedTop3Count = 0;
        var evaluated = 0;
        for (var label = 0; label < labelCount; label++)
        {
            var counts = Count(scores, selected, label, predicted);
            var countsTop3 = Count(scores, selected, label, predictedTop3);
            correct += counts.Correct;
            predictedCount += counts.Predicted;
            positives += counts.Positives;
            correctTop3 += countsTop3.Correct;
            predictedTop3Count += countsTop3.Predicted;
            var precision = Ratio(counts.Correct, counts.Predicted);
            var recall = Ratio(counts.Correct, counts.Positives);
            if (counts.Positives == 0)
            {
                skipped.Add(scores.Labels[label]);
                perLabel.Add(new LabelMetrics(scores.Labels[label], double.NaN, 100 * precision, double.NaN, double.NaN, 0));
                continue;
            }

            var ap = AveragePrecision(scores, selected, label);
            evaluated++;
            apSum += ap;
            precisionSum += precision;
            recallSum += recall;
            precisionTop3Sum += Ratio(countsTop3.Correct, countsTop3.Predicted);
            recallTop3Sum += Ratio(countsTop3.Correct, countsTop3.Positives);
            perLabel.Add(new LabelMetrics(scores.Labels[label], 100 * ap, 100 * precision, 100 * recall, 100 * Harmonic(precision, recall), counts.Positives));
        }

        var cp = evaluated == 0 ? 0 : precisionSum / evaluated;
        var cr = evaluated == 0 ? 0 : recallSum / evaluated;
        var op = Ratio(correct, predictedCount);
        var or = Ratio(correct, positives);
        var cpTop3 = evaluated == 0 ? 0 : precisionTop3Sum / evaluated;
        var crTop3 = evaluated == 0 ? 0 : recallTop3Sum / evaluated;
        var opTop3 = Ratio(correctTop3, predictedTop3Count);
        var orTop3 = Ratio(correctTop3, positives); // the cap lowers hits, never the positives they are counted against
        var (hamming, subset, exampleF1) = ExampleBased(scores, selected, predicted);
        return new MetricsReport(
            selected.Count,
            evaluated == 0 ? double.NaN : 100 * apSum / evaluated,
            100 * cp,
            100 * cr,
            100 * Harmonic(cp, cr),
            100 * op,
            100 * or,
            100 * Harmonic(op, or),
            new Top3Metrics(100 * cpTop3, 100 * crTop3, 100 * Harmonic(cpTop3, crTop3), 100 * opTop3, 100 * orTop3, 100 * Harmonic(opTop3, orTop3)),
            100 * hamming,
            100 * subset,
            100 * exampleF1,
            skipped,
            perLabel);
    }

    private static void Predict(ScoreMatrix scores, IReadOnlyList<double> thresholds, int image, bool[] predicted, bool[] predictedTop3)
    {
        var labelCount = scores.LabelCount;
        var row = image * labelCount;
        Span<int> top = stackalloc int[Math.Min(3, labelCount)];
        var kept = 0;
        for (var label = 0; label < labelCount; label++)
        {
            predicted[row + label] = scores.Probabilities[row + label] >= thresholds[label];
            var score = scores.RankScores[row + label];
            var position = kept;
            while (position > 0 && scores.RankScores[row + top[position - 1]] < score)
            {
                position--;
            }

            if (position < top.Length)
            {
                for (var j = Math.Min(kept, top.Length - 1); j > position; j--)
                {
                    top[j] = top[j - 1];
                }

                top[position] = label;
                kept = Math.Min(kept + 1, top.Length);
            }
        }

        foreach (var label in top[..kept])
        {
            predictedTop3[row + label] = predicted[row + label];
        }
    }

    private static (int Correct, int Predicted, int Positives) Count(ScoreMatrix scores, IReadOnlyList<int> images, int label, bool[] predicted)
    {
        int correct = 0, predictedCount = 0, positives = 0;
        foreach (var image in images)
        {
            var cell = (image * scores.LabelCount) + label;
            if (scores.Ignored[cell])
            {
                continue;
            }

            var truth = scores.Truth[cell];
            positives += truth ? 1 : 0;
            predictedCount += predicted[cell] ? 1 : 0;
            correct += truth && predicted[cell] ? 1 : 0;
        }

        return (correct, predictedCount, positives);
    }

    private static double AveragePrecision(ScoreMatrix scores, IReadOnlyList<int> images, int label)
    {
        var cells = images
            .Select(image => (image * scores.LabelCount) + label)
            .Where(cell => !scores.Ignored[cell])
            .OrderByDescending(cell => scores.RankScores[cell]) // OrderBy is stable: ties stay in dataset order.
            .ToArray();
        double hits = 0, sum = 0;
        for (var rank = 0; rank < cells.Length; rank++)
        {
            if (scores.Truth[cells[rank]])
            {
                hits++;
                sum += hits / (rank + 1);
            }
        }

        return hits == 0 ? double.NaN : sum / hits;
    }

    private static (double Hamming, double Subset, double ExampleF1) ExampleBased(ScoreMatrix scores, IReadOnlyList<int> images, bool[] predicted)
    {
        long wrongCells = 0, cells = 0;
        double exactImages = 0, f1Sum = 0;
        foreach (var image in images)
        {
            int truthCount = 0, predictedCount = 0, both = 0, wrong = 0;
            for (var label = 0; label < scores.LabelCount; label++)
            {
                var cell = (image * scores.LabelCount) + label;
                if (scores.Ignored[cell])
                {
                    continue;
                }

                cells++;
                var truth = scores.Truth[cell];
                truthCount += truth ? 1 : 0;
                predictedCount += predicted[cell] ? 1 : 0;
                both += truth && predicted[cell] ? 1 : 0;
                wrong += truth != predicted[cell] ? 1 : 0;
            }

            wrongCells += wrong;
            exactImages += wrong == 0 ? 1 : 0;
            f1Sum += truthCount + predictedCount == 0 ? 1 : 2.0 * both / (truthCount + predictedCount);
        }

        var count = Math.Max(1, images.Count);
        return (cells == 0 ? 0 : (double)wrongCells / cells, exactImages / count, f1Sum / count);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private static double Harmonic(double a, double b) => a + b == 0 ? 0 : 2 * a * b / (a + b);
}
