using System.Globalization;
using System.Text;
using Edge.Camera.Sources.OpenCv;
using Edge.Runtime.Bundles;
using Edge.Runtime.Inference;
using Edge.Tools.Evaluation.Datasets;
using OpenCvSharp;

namespace Edge.Tools.Evaluation.Report;

/// <summary>
/// <c>edge eval --report DIR</c>: PNG charts (per-label AP, precision-recall curves, the missed/wrong label matrix),
/// activation-map overlays for a sample of images when the model has maps, and <c>summary.md</c> linking them.
/// </summary>
public static class EvaluationReport
{
    public const int OverlaySamples = 8;

    /// <param name="session">A session created with maps bound, or one without (then no overlays are drawn).</param>
    public static void Write(string directory, EvaluationResult result, ModelBundle bundle, ModelSession session, LabeledDataset dataset, int maxMegapixels = ImageFile.DefaultMaxMegapixels)
    {
        Directory.CreateDirectory(directory);
        var scores = result.Scores;
        var thresholds = bundle.Labels.Select(label => (double)label.On).ToArray();
        ReportCharts.ApBars(Path.Combine(directory, "ap.png"), result.Overall);
        ReportCharts.PrecisionRecall(Path.Combine(directory, "precision-recall.png"), scores);
        ReportCharts.ErrorMatrix(Path.Combine(directory, "errors.png"), ErrorCounts(scores, thresholds), scores.Labels);
        var overlays = session.Maps is null ? [] : WriteOverlays(directory, bundle, session, dataset, maxMegapixels);
        File.WriteAllText(Path.Combine(directory, "summary.md"), Summary(result, bundle, dataset, overlays));
    }

    /// <summary>counts[missed, wrong]: images where label "missed" was a missed positive and "wrong" a false positive.</summary>
    internal static int[,] ErrorCounts(ScoreMatrix scores, IReadOnlyList<double> thresholds)
    {
        var n = scores.LabelCount;
        var counts = new int[n, n];
        for (var image = 0; image < scores.ImageCount; image++)
        {
            var row = image * n;
            for (var missed = 0; missed < n; missed++)
            {
                var m = row + missed;
                if (scores.Ignored[m] || !scores.Truth[m] || scores.Probabilities[m] >= thresholds[missed])
                {
                    continue;
                }

                for (var wrong = 0; wrong < n; wrong++)
                {
                    var w = row + wrong;
                    if (!scores.Ignored[w] && !scores.Truth[w] && scores.Probabilities[w] >= thresholds[wrong])
                    {
                        counts[missed, wrong]++;
                    }
                }
            }
        }

        return counts;
    }

    private static List<string> WriteOverlays(string directory, ModelBundle bundle, ModelSession session, LabeledDataset dataset, int maxMegapixels)
    {
        var folder = Path.Combine(directory, "overlays");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var scorer = new ImageScorer(bundle, session, maxMegapixels);
        var cells = session.MapHeight * session.MapWidth;
        foreach (var item in dataset.Images.Take(OverlaySamples))
        {
            scorer.Score(item.ImagePath);
            var best = 0;
            for (var label = 1; label < bundle.Labels.Count; label++)
            {
                best = session.Output[label] > session.Output[best] ? label : best;
            }

            using var image = Cv2.ImRead(item.ImagePath, ImreadModes.Color);
            var name = $"{written.Count:D2}-{bundle.Labels[best].Name}.png";
            var caption = $"{bundle.Labels[best].Name} (truth: {(item.Labels.Count == 0 ? "none" : string.Join(", ", item.Labels))})";
            ReportCharts.Overlay(Path.Combine(folder, name), image, session.Maps.AsSpan(best * cells, cells), session.MapHeight, session.MapWidth, caption);
            written.Add(name);
        }

        return written;
    }

    private static string Summary(EvaluationResult result, ModelBundle bundle, LabeledDataset dataset, IReadOnlyList<string> overlays)
    {
        var m = result.Overall;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"# Evaluation of `{bundle.Name}` ({bundle.Precision})");
        text.AppendLine();
        text.AppendLine(c, $"Dataset `{dataset.Source}` ({dataset.Format}, {m.Images} images); model sha256 `{bundle.Sha256}`. Percentages; definitions in docs/evaluation.md.");
        text.AppendLine();
        text.AppendLine("| slice | images | mAP | CP | CR | CF1 | OP | OR | OF1 | CF1 top-3 | OF1 top-3 | Hamming loss | subset accuracy | example F1 |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        Row(text, "all", m);
        foreach (var (name, slice) in result.Slices)
        {
            Row(text, name, slice);
        }

        text.AppendLine();
        if (m.SkippedLabels.Count > 0)
        {
            text.AppendLine(c, $"Labels without positives (skipped in the averages): {string.Join(", ", m.SkippedLabels)}.");
            text.AppendLine();
        }

        text.AppendLine("| label | AP | precision | recall | F1 | support |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var label in m.PerLabel)
        {
            text.AppendLine(c, $"| {label.Label} | {F(label.Ap)} | {F(label.Precision)} | {F(label.Recall)} | {F(label.F1)} | {label.Support} |");
        }

        text.AppendLine();
        text.AppendLine("![average precision per label](ap.png)");
        text.AppendLine();
        text.AppendLine("![precision-recall curves](precision-recall.png)");
        text.AppendLine();
        text.AppendLine("Which labels are taken for which: images where the row's label was missed while the column's label was wrongly predicted.");
        text.AppendLine();
        text.AppendLine("![missed / wrong label matrix](errors.png)");
        if (overlays.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Activation maps of the top-scoring label (first images of the dataset)");
            text.AppendLine();
            foreach (var overlay in overlays)
            {
                text.AppendLine(c, $"![{overlay}](overlays/{overlay})");
            }
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, MetricsReport m) => text.AppendLine(CultureInfo.InvariantCulture,
        $"| {name} | {m.Images} | {F(m.MeanAp)} | {F(m.CP)} | {F(m.CR)} | {F(m.CF1)} | {F(m.OP)} | {F(m.OR)} | {F(m.OF1)} | {F(m.Top3.CF1)} | {F(m.Top3.OF1)} | {F(m.HammingLoss)} | {F(m.SubsetAccuracy)} | {F(m.ExampleF1)} |");

    private static string F(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "–";
}
