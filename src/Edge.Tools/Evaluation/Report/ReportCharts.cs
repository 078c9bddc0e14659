using System.Globalization;
using OpenCvSharp;
using static Edge.Tools.Charts.ChartStyle;

namespace Edge.Tools.Evaluation.Report;

/// <summary>The PNG charts of an evaluation report, drawn with OpenCV (already loaded for reading the images).</summary>
internal static class ReportCharts
{
    /// <summary>Horizontal bars of per-label AP.</summary>
    public static void ApBars(string path, MetricsReport metrics)
    {
        const int rowHeight = 28, left = 130, width = 520;
        using var image = new Mat((metrics.PerLabel.Count * rowHeight) + 70, left + width + 80, MatType.CV_8UC3, Paper);
        Text(image, "average precision per label (%)", 10, 24, 0.6);
        for (var i = 0; i < metrics.PerLabel.Count; i++)
        {
            var label = metrics.PerLabel[i];
            var y = 45 + (i * rowHeight);
            Text(image, label.Label, 10, y + 17, 0.5);
            var value = double.IsFinite(label.Ap) ? label.Ap : 0;
            Cv2.Rectangle(image, new Rect(left, y + 3, (int)(width * value / 100), rowHeight - 8), SeriesColor(i), -1);
            Text(image, double.IsFinite(label.Ap) ? label.Ap.ToString("F1", CultureInfo.InvariantCulture) : "no positives", left + (int)(width * value / 100) + 6, y + 17, 0.45);
        }

        Cv2.ImWrite(path, image);
    }

    /// <summary>Precision-recall curves of all labels on one chart.</summary>
    public static void PrecisionRecall(string path, ScoreMatrix scores)
    {
        const int size = 480, margin = 50, legend = 140;
        using var image = new Mat(size + (2 * margin), size + (2 * margin) + legend, MatType.CV_8UC3, Paper);
        for (var tick = 0; tick <= 10; tick++)
        {
            var offset = tick * size / 10;
            Cv2.Line(image, new Point(margin + offset, margin), new Point(margin + offset, margin + size), Grid);
            Cv2.Line(image, new Point(margin, margin + offset), new Point(margin + size, margin + offset), Grid);
        }

        Cv2.Rectangle(image, new Rect(margin, margin, size, size), Ink);
        foreach (var tick in new[] { 0.0, 0.5, 1.0 })
        {
            var at = (int)(tick * size);
            var label = tick.ToString("0.#", CultureInfo.InvariantCulture);
            Text(image, label, margin + at - 8, margin + size + 20, 0.45);
            Text(image, label, margin - 30, margin + size - at + 5, 0.45);
        }
        Text(image, "precision-recall per label (x: recall, y: precision)", margin, 30, 0.55);
        for (var label = 0; label < scores.LabelCount; label++)
        {
            var curve = Curve(scores, label);
            for (var i = 1; i < curve.Count; i++)
            {
                Cv2.Line(image, Plot(curve[i - 1]), Plot(curve[i]), SeriesColor(label), 2, LineTypes.AntiAlias);
            }

            Cv2.Line(image, new Point(margin + size + 15, margin + 10 + (label * 22)), new Point(margin + size + 35, margin + 10 + (label * 22)), SeriesColor(label), 3);
            Text(image, scores.Labels[label], margin + size + 40, margin + 15 + (label * 22), 0.45);
        }

        Cv2.ImWrite(path, image);

        static Point Plot((double Recall, double Precision) p) => new(margin + (int)(p.Recall * size), margin + size - (int)(p.Precision * size));
    }

    /// <summary>
    /// For each pair (missed label, wrongly predicted label) the number of images where both happened: which labels
    /// the model takes for which.
    /// </summary>
    public static void ErrorMatrix(string path, int[,] counts, IReadOnlyList<string> labels)
    {
        const int cell = 60, left = 120, top = 120;
        var n = labels.Count;
        using var image = new Mat(top + (n * cell) + 20, left + (n * cell) + 20, MatType.CV_8UC3, Paper);
        Text(image, "images with label (row) missed and label (column) wrongly predicted", 10, 22, 0.5);
        var max = 1;
        foreach (var value in counts)
        {
            max = Math.Max(max, value);
        }

        for (var row = 0; row < n; row++)
        {
            Text(image, labels[row], 10, top + (row * cell) + 27, 0.45);
            Cv2.PutText(image, labels[row], new Point(left + (row * cell) + 2, top - 8 - (row % 2 * 16)), HersheyFonts.HersheySimplex, 0.4, Ink);
            for (var column = 0; column < n; column++)
            {
                var shade = 255 - (int)(200.0 * counts[row, column] / max);
                var rect = new Rect(left + (column * cell), top + (row * cell), cell - 2, cell - 2);
                Cv2.Rectangle(image, rect, new Scalar(255, shade, shade), -1);
                if (counts[row, column] > 0)
                {
                    Text(image, counts[row, column].ToString(CultureInfo.InvariantCulture), rect.X + 6, rect.Y + 27, 0.45);
                }
            }
        }

        Cv2.ImWrite(path, image);
    }

    /// <summary>An image with one label's activation map blended over it and the label's name.</summary>
    public static void Overlay(string path, Mat bgr, ReadOnlySpan<float> map, int height, int width, string caption)
    {
        float minimum = float.MaxValue, maximum = float.MinValue;
        foreach (var value in map)
        {
            minimum = Math.Min(minimum, value);
            maximum = Math.Max(maximum, value);
        }

        using var small = new Mat(height, width, MatType.CV_8UC1);
        for (var i = 0; i < height * width; i++)
        {
            small.Set(i / width, i % width, (byte)(255 * (map[i] - minimum) / Math.Max(1e-6f, maximum - minimum)));
        }

        using var large = new Mat();
        Cv2.Resize(small, large, bgr.Size(), 0, 0, InterpolationFlags.Cubic);
        using var heat = new Mat();
        Cv2.ApplyColorMap(large, heat, ColormapTypes.Jet);
        using var blended = new Mat();
        Cv2.AddWeighted(bgr, 0.55, heat, 0.45, 0, blended);
        Cv2.PutText(blended, caption, new Point(6, 18), HersheyFonts.HersheySimplex, 0.5, Scalar.White, 2);
        Cv2.ImWrite(path, blended);
    }

    internal static List<(double Recall, double Precision)> Curve(ScoreMatrix scores, int label)
    {
        var cells = Enumerable.Range(0, scores.ImageCount)
            .Select(image => (image * scores.LabelCount) + label)
            .Where(cell => !scores.Ignored[cell])
            .OrderByDescending(cell => scores.RankScores[cell])
            .ToArray();
        var positives = cells.Count(cell => scores.Truth[cell]);
        var curve = new List<(double, double)> { (0, 1) };
        if (positives == 0)
        {
            return curve;
        }

        var hits = 0;
        for (var rank = 0; rank < cells.Length; rank++)
        {
            hits += scores.Truth[cells[rank]] ? 1 : 0;
            curve.Add(((double)hits / positives, (double)hits / (rank + 1)));
        }

        return curve;
    }
}
